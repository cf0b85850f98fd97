using System.Reflection;
using System.Text.Json.Serialization;
using Orchestrator.Storage;

namespace Orchestrator.Health;

public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        // Liveness: no I/O, so a slow store never gets a healthy process restarted.
        app.MapGet("/healthz", () => Results.Text("ok"));

        app.MapGet("/readyz", async (IStoreAdmin store, ConfigurationReport report, CancellationToken cancellationToken) =>
        {
            var problems = new List<string>(report.Missing.Select(m => $"{m.Setting}: {m.Effect}"));
            bool reachable;
            try
            {
                reachable = await store.IsReachableAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                reachable = false;
            }

            if (!reachable)
            {
                problems.Add("store: not reachable");
            }

            var status = new ReadinessStatus(problems.Count == 0 ? "ready" : "not ready", reachable, problems);
            return Results.Json(status, HealthJsonContext.Default.ReadinessStatus, statusCode: problems.Count == 0 ? 200 : 503);
        });

        app.MapGet("/version", () => Results.Json(VersionInfo.Current, HealthJsonContext.Default.VersionInfo));
        return app;
    }
}

public sealed record ReadinessStatus(string Status, bool Store, IReadOnlyList<string> Problems);

public sealed record VersionInfo(string Version, string? Commit)
{
    public static readonly VersionInfo Current = Read();

    private static VersionInfo Read()
    {
        var informational = typeof(VersionInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? new(informational, null) : new(informational[..plus], informational[(plus + 1)..]);
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ReadinessStatus))]
[JsonSerializable(typeof(VersionInfo))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;
