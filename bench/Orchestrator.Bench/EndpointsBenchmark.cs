using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NSec.Cryptography;
using Orchestrator.GitHub;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Bench;

/// <summary>
/// The service as a user starts it (default logging, hosted worker on, SQLite with PowerLoss durability) as a
/// process, loaded by wrk: signed Discord PING at 8 and 64 connections, and unique signed
/// <c>workflow_job.completed</c> deliveries (about 10 KB: verified, stored with fsync, deduplicated) at 64
/// connections. Each scenario also reports the bytes of log the service wrote per request; the run reports the
/// resident memory idle and after the load.
/// </summary>
internal static class EndpointsBenchmark
{
    public const string Mode = "endpoints";
    public const string Description = "signed Discord PING (8 and 64 connections) and unique GitHub deliveries (64) against the service as shipped; log bytes per request; RSS [seconds per scenario, default 10]";

    public static Task<int> RunAsync(string[] args) => BenchReport.RunTimedAsync(args, 10, MeasureAsync);

    public static async Task<JsonObject> MeasureAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        var data = Directory.CreateTempSubdirectory("orchestrator-bench-");
        var results = new JsonArray();
        var memory = new JsonObject();
        try
        {
            await using var service = await ServiceProcess.StartAsync(
                new Dictionary<string, string?>
                {
                    ["Orchestrator__Discord__PublicKey"] = Convert.ToHexStringLower(key.PublicKey.Export(KeyBlobFormat.RawPublicKey)),
                    ["Orchestrator__GitHub__WebhookSecrets"] = secret,
                    ["Orchestrator__Storage__Sqlite__Path"] = Path.Combine(data.FullName, "bench.db"),
                },
                data.FullName,
                cancellationToken);
            await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
            memory["idle_rss_mb"] = ProcFs.ResidentMegabytes(service.Id);

            var ping = Signed.DiscordPing(key);
            foreach (var connections in new[] { 8, 64 })
            {
                results.Add(await MeasureScenarioAsync(service, "discord-ping", connections, duration, ping.Body, ping.Headers, null, cancellationToken));
            }

            var job = WebhookExamples.All.First(e => e.Event == "workflow_job" && e.Action == "completed").Json;
            results.Add(await MeasureScenarioAsync(service, "github-workflow_job-unique", 64, duration, job, Signed.GitHub("workflow_job", job, secret), "X-GitHub-Delivery", cancellationToken));
            memory["loaded_rss_mb"] = ProcFs.ResidentMegabytes(service.Id);
        }
        finally
        {
            data.Delete(recursive: true);
        }

        return new JsonObject
        {
            ["benchmark"] = Mode,
            ["configuration"] = "default (logging at Information, hosted worker on, SQLite PowerLoss)",
            ["generator"] = "wrk -t2",
            ["machine_cores"] = Environment.ProcessorCount,
            ["load_average"] = ProcFs.LoadAverage(),
            ["seconds_per_scenario"] = duration.TotalSeconds,
            ["results"] = results,
            ["memory"] = memory,
        };
    }

    /// <summary>One wrk run, with the bytes of log the service wrote meanwhile divided by the requests answered.</summary>
    public static async Task<JsonNode> MeasureScenarioAsync(
        ServiceProcess service,
        string scenario,
        int connections,
        TimeSpan duration,
        string body,
        IReadOnlyDictionary<string, string> headers,
        string? uniqueHeader,
        CancellationToken cancellationToken)
    {
        var path = scenario.StartsWith("discord", StringComparison.Ordinal) ? "discord/interactions" : "github/webhooks";
        var url = new Uri(service.BaseAddress, path);

        // Warm up (JIT, connections, the store's first writes) with a short run that is not reported.
        await Wrk.RunAsync(scenario, url, connections, TimeSpan.FromSeconds(2), body, headers, uniqueHeader, cancellationToken);
        var linesBefore = service.Lines;
        var result = await Wrk.RunAsync(scenario, url, connections, duration, body, headers, uniqueHeader, cancellationToken);
        await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken); // the console logger's queue drains
        var lines = service.Lines;
        var logBytes = lines.Skip(linesBefore.Count).Sum(l => (long)Encoding.UTF8.GetByteCount(l) + 1);
        var node = JsonSerializer.SerializeToNode(result, WrkJsonContext.Default.WrkResult)!.AsObject();
        node["log_lines_per_request"] = Math.Round((lines.Count - linesBefore.Count) / (double)Math.Max(1, result.Requests), 3);
        node["log_bytes_per_request"] = Math.Round(logBytes / (double)Math.Max(1, result.Requests), 1);
        return node;
    }
}

/// <summary>Requests signed as Discord and GitHub sign them.</summary>
internal static class Signed
{
    /// <summary>A PING signed now; Discord's window is ±5 minutes, far longer than a scenario.</summary>
    public static (string Body, IReadOnlyDictionary<string, string> Headers) DiscordPing(Key key) =>
        Interaction(key, """{"type":1,"id":"1","application_id":"2","version":1}""");

    public static (string Body, IReadOnlyDictionary<string, string> Headers) Interaction(Key key, string body)
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = SignatureAlgorithm.Ed25519.Sign(key, Encoding.UTF8.GetBytes(timestamp + body));
        return (body, new Dictionary<string, string>
        {
            ["Content-Type"] = "application/json",
            ["X-Signature-Ed25519"] = Convert.ToHexStringLower(signature),
            ["X-Signature-Timestamp"] = timestamp,
        });
    }

    /// <summary>GitHub's headers for <paramref name="body"/>; the delivery id is set per request by the caller.</summary>
    public static IReadOnlyDictionary<string, string> GitHub(string eventName, string body, string secret) =>
        new Dictionary<string, string>
        {
            ["Content-Type"] = "application/json",
            ["X-GitHub-Event"] = eventName,
            ["X-Hub-Signature-256"] = WebhookSignature.Sign(secret, Encoding.UTF8.GetBytes(body)),
        };
}

/// <summary>Figures read from /proc about a process and the machine.</summary>
internal static class ProcFs
{
    public static double ResidentMegabytes(int processId)
    {
        var line = File.ReadLines($"/proc/{processId}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return Math.Round(long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0, 1);
    }

    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
