using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using Orchestrator.Configuration;

namespace Orchestrator.Secrets;

/// <summary>Adds the parameters under a Parameter Store path to the configuration and reloads them periodically.</summary>
public sealed class ParameterStoreConfigurationSource : IConfigurationSource
{
    /// <summary>The path whose parameters are loaded, e.g. "/orchestrator/prod/".</summary>
    public required string Path { get; init; }

    public required Func<IAmazonSimpleSystemsManagement> ClientFactory { get; init; }

    /// <summary>Names below <see cref="Path"/> to read with GetParameters instead of the whole path; empty reads the path.</summary>
    public IReadOnlyList<string> Names { get; init; } = [];

    /// <summary>
    /// Called when the first load fails, with one line naming the path and the cause; null rethrows. The service throws
    /// a <see cref="Configuration.SettingsException"/> from it, so an INIT that cannot read its secrets stops at once
    /// (exit 1) with that line instead of a stack trace.
    /// </summary>
    public Action<string, Exception>? OnFirstLoadFailed { get; init; }

    public TimeSpan ReloadInterval { get; init; } = TimeSpan.FromMinutes(5);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Called after a failed reload (the previous values stay). Defaults to one line on stderr.</summary>
    public Action<Exception> OnReloadFailed { get; init; } = ex =>
        Console.Error.WriteLine($"Parameter Store reload failed; keeping the previous values: {ex.GetType().Name}: {ex.Message}");

    public IConfigurationProvider Build(IConfigurationBuilder builder) => new ParameterStoreConfigurationProvider(this);
}

/// <summary>
/// Reads every parameter under <see cref="ParameterStoreConfigurationSource.Path"/> with GetParametersByPath
/// (recursive, WithDecryption, all pages) and maps "{path}Discord/PublicKey" to "Orchestrator:Discord:PublicKey".
/// The first load happens at start-up and throws if it fails: a wrong path or a missing permission is a deploy error
/// that should stop the function (Lambda retries the init). Later reloads run on a timer; a failed reload keeps the
/// last good values, and a changed value fires the configuration's change token, so IOptionsMonitor consumers (the
/// webhook and interaction signature checks) pick up rotated secrets without a restart.
/// </summary>
public sealed class ParameterStoreConfigurationProvider(ParameterStoreConfigurationSource source) : ConfigurationProvider, IDisposable
{
    /// <summary>GetParametersByPath returns at most 10 parameters a page; GetParameters takes at most 10 names.</summary>
    public const int PageSize = 10;

    private const string KeyPrefix = "Orchestrator";
    private readonly string _path = NormalizePath(source.Path);
    private IAmazonSimpleSystemsManagement? _client;
    private ITimer? _timer;
    private volatile IReadOnlyDictionary<string, ParameterAge> _ages = new Dictionary<string, ParameterAge>();
    private int _reloading;

    public override void Load()
    {
        // Configuration providers load synchronously; this runs once, before the host starts.
        try
        {
            Data = LoadAsync(CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (source.OnFirstLoadFailed is not null)
        {
            source.OnFirstLoadFailed(FirstLoadFailure(ex), ex);
            throw;
        }

        _timer ??= source.TimeProvider.CreateTimer(_ => _ = ReloadAsync(), null, source.ReloadInterval, source.ReloadInterval);
    }

    /// <summary>When each setting's parameter was last changed, by configuration key, as of the last load.</summary>
    public IReadOnlyDictionary<string, ParameterAge> Ages => _ages;

    /// <summary>Reads the parameters again; returns true when the values changed. Never throws.</summary>
    public async Task<bool> ReloadAsync()
    {
        if (Interlocked.Exchange(ref _reloading, 1) == 1)
        {
            return false;
        }

        try
        {
            var fresh = await LoadAsync(CancellationToken.None);
            if (SameAs(fresh))
            {
                return false;
            }

            Data = fresh;
            OnReload();
            return true;
        }
        catch (Exception ex)
        {
            source.OnReloadFailed(ex);
            return false;
        }
        finally
        {
            Volatile.Write(ref _reloading, 0);
        }
    }

    /// <summary>"/orchestrator/prod/" and "/orchestrator/prod/Discord/PublicKey" give "Orchestrator:Discord:PublicKey".</summary>
    public static string? ToConfigurationKey(string path, string parameterName)
    {
        var root = NormalizePath(path);
        var prefix = root == "/" ? "/" : root + "/";
        if (!parameterName.StartsWith(prefix, StringComparison.Ordinal) || parameterName.Length == prefix.Length)
        {
            return null;
        }

        var relative = parameterName[prefix.Length..].Split('/', StringSplitOptions.RemoveEmptyEntries);
        return relative.Length == 0 ? null : KeyPrefix + ConfigurationPath.KeyDelimiter + string.Join(ConfigurationPath.KeyDelimiter, relative);
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _client?.Dispose();
    }

    /// <summary>The one line that says which path could not be read and why (the exception's type and message, no secret).</summary>
    public string FirstLoadFailure(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var what = source.Names.Count > 0 ? $"parameters {string.Join(", ", source.Names.Select(n => _path + "/" + n.Trim('/')))}" : $"Parameter Store path {_path}";
        var cause = exception is AggregateException { InnerException: { } inner } ? inner : exception;
        var code = cause is AmazonSimpleSystemsManagementException { ErrorCode: { Length: > 0 } errorCode } ? errorCode : cause.GetType().Name;
        return $"Cannot read {what} at start-up: {code}: {cause.Message.ReplaceLineEndings(" ")}";
    }

    private async Task<Dictionary<string, string?>> LoadAsync(CancellationToken cancellationToken)
    {
        _client ??= source.ClientFactory();
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var ages = new Dictionary<string, ParameterAge>(StringComparer.OrdinalIgnoreCase);
        if (source.Names.Count > 0)
        {
            foreach (var batch in source.Names.Select(n => _path + "/" + n.Trim('/')).Chunk(PageSize))
            {
                var response = await _client.GetParametersAsync(new GetParametersRequest { Names = [.. batch], WithDecryption = true }, cancellationToken).ConfigureAwait(false);
                foreach (var parameter in response.Parameters ?? [])
                {
                    Add(parameter);
                }
            }

            _ages = ages;
            return data;
        }

        var request = new GetParametersByPathRequest
        {
            Path = _path,
            Recursive = true,
            WithDecryption = true,
            MaxResults = PageSize,
        };
        do
        {
            var response = await _client.GetParametersByPathAsync(request, cancellationToken).ConfigureAwait(false);
            foreach (var parameter in response.Parameters ?? [])
            {
                Add(parameter);
            }

            request.NextToken = response.NextToken;
        }
        while (!string.IsNullOrEmpty(request.NextToken));

        _ages = ages;
        return data;

        void Add(Parameter parameter)
        {
            if (ToConfigurationKey(_path, parameter.Name) is { } key)
            {
                data[key] = parameter.Value;
                if (parameter.LastModifiedDate is { } modified)
                {
                    ages[key] = new ParameterAge(parameter.Name, new DateTimeOffset(DateTime.SpecifyKind(modified, DateTimeKind.Utc)));
                }
            }
        }
    }

    private bool SameAs(Dictionary<string, string?> fresh) =>
        fresh.Count == Data.Count
        && fresh.All(pair => Data.TryGetValue(pair.Key, out var value) && string.Equals(value, pair.Value, StringComparison.Ordinal));

    // The API takes the path without a trailing slash ("/orchestrator/prod"); the root stays "/".
    private static string NormalizePath(string path)
    {
        var trimmed = "/" + path.Trim().Trim('/');
        return trimmed;
    }
}

/// <summary>A parameter's name and when it was last changed (its value is never kept here).</summary>
public sealed record ParameterAge(string Name, DateTimeOffset LastModified);

public static class ParameterStoreConfigurationExtensions
{
    /// <summary>Adds the Parameter Store source when Orchestrator:Secrets:ParameterStorePath is set (see <see cref="SecretsOptions"/>).</summary>
    public static IConfigurationBuilder AddParameterStore(this IConfigurationManager configuration)
    {
        var options = new SecretsOptions();
        configuration.GetSection(SecretsOptions.Section).Bind(options);
        if (string.IsNullOrWhiteSpace(options.ParameterStorePath))
        {
            return configuration;
        }

        var serviceUrl = options.ServiceUrl;
        return configuration.Add(new ParameterStoreConfigurationSource
        {
            Path = options.ParameterStorePath,
            Names = (options.ParameterNames ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            ReloadInterval = options.ReloadInterval,
            ClientFactory = () => string.IsNullOrEmpty(serviceUrl)
                ? new AmazonSimpleSystemsManagementClient()
                : new AmazonSimpleSystemsManagementClient(new AmazonSimpleSystemsManagementConfig { ServiceURL = serviceUrl }),
            // The service host prints a SettingsException as its one line and exits 1 (Hosting/ServiceHost.cs).
            OnFirstLoadFailed = (line, _) => throw new SettingsException(line),
        });
    }
}
