using System.Reflection;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;

namespace Orchestrator.Tests.Secrets;

/// <summary>
/// IAmazonSimpleSystemsManagement (the SDK's contract) answering GetParametersByPath from a dictionary, a page of
/// MaxResults at a time with a NextToken, as the API documents. Any other operation fails the test.
/// </summary>
public class FakeParameterStore : DispatchProxy
{
    public Dictionary<string, string> Parameters { get; } = new(StringComparer.Ordinal);

    /// <summary>Every GetParametersByPath request as received (copied, since callers reuse request objects).</summary>
    public List<GetParametersByPathRequest> Requests { get; } = [];

    /// <summary>When set, every call fails with it (an outage, a missing permission).</summary>
    public Exception? Failure { get; set; }

    public static (IAmazonSimpleSystemsManagement Client, FakeParameterStore Store) Create()
    {
        var client = Create<IAmazonSimpleSystemsManagement, FakeParameterStore>();
        return (client, (FakeParameterStore)(object)client);
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        switch (targetMethod?.Name)
        {
            case nameof(IAmazonSimpleSystemsManagement.GetParametersByPathAsync):
                return GetParametersByPath((GetParametersByPathRequest)args![0]!);
            case nameof(IDisposable.Dispose):
                return null;
            default:
                throw new NotSupportedException($"{targetMethod?.Name} is not expected from the configuration provider.");
        }
    }

    private Task<GetParametersByPathResponse> GetParametersByPath(GetParametersByPathRequest request)
    {
        lock (Requests)
        {
            Requests.Add(new GetParametersByPathRequest
            {
                Path = request.Path,
                Recursive = request.Recursive,
                WithDecryption = request.WithDecryption,
                MaxResults = request.MaxResults,
                NextToken = request.NextToken,
            });
        }

        if (Failure is not null)
        {
            return Task.FromException<GetParametersByPathResponse>(Failure);
        }

        var prefix = request.Path.TrimEnd('/') + "/";
        var matching = Parameters.Keys
            .Where(name => name.StartsWith(prefix, StringComparison.Ordinal)
                && (request.Recursive == true || !name[prefix.Length..].Contains('/', StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal)
            .ToList();
        var start = request.NextToken is null ? 0 : int.Parse(request.NextToken, System.Globalization.CultureInfo.InvariantCulture);
        var size = Math.Min(request.MaxResults ?? 10, 10);
        var page = matching.Skip(start).Take(size).ToList();
        return Task.FromResult(new GetParametersByPathResponse
        {
            Parameters = [.. page.Select(name => new Parameter
            {
                Name = name,
                Type = ParameterType.SecureString,
                Value = request.WithDecryption == true ? Parameters[name] : "AQICAH-encrypted-blob",
            })],
            NextToken = start + size < matching.Count ? (start + size).ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
        });
    }
}
