using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NSec.Cryptography;
using Orchestrator.Storage;
using Orchestrator.Storage.DynamoDb;
using Orchestrator.Tests.Deploy;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Bench;

/// <summary>
/// The interactions function's cold path as Lambda runs it: the published artifact started through <c>run.sh</c>
/// with the DynamoDB store (dynalite on 127.0.0.1, its tables created beforehand as the template creates them),
/// timed from process start to the first signed <c>/status</c> command answered 200 (polled every 5 ms, as the
/// adapter polls its readiness path every 10 ms). The answer reads the runs from the store, so the first store
/// call (client, credentials, connection) is inside the figure. CPU time of the process is reported beside it.
/// </summary>
internal static class ColdPathBenchmark
{
    public const string Mode = "cold-dynamo";
    public const string Description = "published artifact on DynamoDB (dynalite): start to the first signed /status answered [--publish-dir DIR] [--runs 5]";

    public const double TargetMs = 500;

    /// <summary>The template's function that answers Discord interactions.</summary>
    private const string DiscordFunction = "DiscordFunction";

    public static async Task<int> RunAsync(string[] args)
    {
        var directory = StartupBenchmark.PublishDirectory(args);
        var runs = int.Parse(StartupBenchmark.Option(args, "--runs") ?? "5", CultureInfo.InvariantCulture);
        var report = await MeasureAsync(directory, runs, CancellationToken.None);
        BenchReport.Print(report);
        return 0;
    }

    public static async Task<JsonObject> MeasureAsync(string directory, int runs, CancellationToken cancellationToken)
    {
        await StartupBenchmark.EnsurePublishedAsync(directory, republish: false);
        await using var dynalite = new DynaliteServer();
        await dynalite.InitializeAsync();
        var options = dynalite.Options();
        using (var services = new ServiceCollection().AddSingleton(TimeProvider.System).BuildServiceProvider())
        {
            var store = DynamoStore.Create(services, options);
            await store.Admin.InitializeAsync(cancellationToken);
            (store as IDisposable)?.Dispose();
        }

        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        var times = new List<double>();
        var cpu = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var (elapsed, cpuMs) = await MeasureOnceAsync(directory, options, key, cancellationToken);
            times.Add(Math.Round(elapsed, 1));
            cpu.Add(Math.Round(cpuMs, 1));
        }

        var sorted = times.Order().ToList();
        return new JsonObject
        {
            ["benchmark"] = Mode,
            ["configuration"] = "published artifact via run.sh, DynamoDB store (dynalite, tables present), the interactions function's environment read from deploy/template.yaml",
            ["machine_cores"] = Environment.ProcessorCount,
            ["load_average"] = ProcFs.LoadAverage(),
            ["start_to_first_status_ms"] = new JsonArray([.. times.Select(t => (JsonNode)t)]),
            ["median_ms"] = sorted[sorted.Count / 2],
            ["cpu_ms"] = new JsonArray([.. cpu.Select(c => (JsonNode)c)]),
            ["target_ms"] = TargetMs,
            ["meets_target"] = sorted[sorted.Count / 2] <= TargetMs,
        };
    }

    private static async Task<(double ElapsedMs, double CpuMs)> MeasureOnceAsync(string directory, StorageOptions options, Key key, CancellationToken cancellationToken)
    {
        var data = Directory.CreateTempSubdirectory("orchestrator-cold-");
        var port = ServiceProcess.FreePort();
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = data.FullName,
        };
        start.ArgumentList.Add(Path.Combine(directory, "run.sh"));
        start.Environment.Remove("ASPNETCORE_URLS");

        // The interactions function's environment as the template deploys it (Globals and its own variables), read from
        // deploy/template.yaml so the figure is for the configuration a user gets. Left out: the adapter layer's wrapper
        // (run.sh is started directly, as the wrapper starts it) and Parameter Store (the public key is set instead).
        // Replaced: the port and DynamoDB's endpoint (dynalite) and table prefix.
        var template = SamTemplate.Current;
        foreach (var (name, value) in template.Environment(DiscordFunction))
        {
            if (name != "AWS_LAMBDA_EXEC_WRAPPER" && !name.StartsWith("Orchestrator__Secrets__", StringComparison.Ordinal))
            {
                start.Environment[name] = template.Text(value);
            }
        }

        start.Environment["AWS_LWA_PORT"] = port.ToString(CultureInfo.InvariantCulture);
        start.Environment["Orchestrator__Discord__PublicKey"] = Convert.ToHexStringLower(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        start.Environment["Orchestrator__Storage__Provider"] = "DynamoDb";
        start.Environment["Orchestrator__Storage__DynamoDb__ServiceUrl"] = options.DynamoDb.ServiceUrl;
        start.Environment["Orchestrator__Storage__DynamoDb__Region"] = options.DynamoDb.Region;
        start.Environment["Orchestrator__Storage__DynamoDb__TablePrefix"] = options.DynamoDb.TablePrefix;
        start.Environment["AWS_ACCESS_KEY_ID"] = "local";
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "local";

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var url = new Uri($"http://127.0.0.1:{port}/discord/interactions");
        var clock = Stopwatch.StartNew();
        using var process = System.Diagnostics.Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            while (clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"The app exited with code {process.ExitCode} during start-up.");
                }

                var (body, headers) = Signed.Interaction(key, StatusCommand());
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                foreach (var (name, value) in headers.Where(h => h.Key != "Content-Type"))
                {
                    request.Headers.Add(name, value);
                }

                try
                {
                    using var response = await client.SendAsync(request, cancellationToken);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        var elapsed = clock.Elapsed.TotalMilliseconds;
                        var answer = await response.Content.ReadAsStringAsync(cancellationToken);
                        if (!answer.Contains("\"type\":4", StringComparison.Ordinal))
                        {
                            throw new InvalidOperationException("/status was not answered with a message: " + answer);
                        }

                        return (elapsed, StartupBenchmark.CpuMilliseconds(process.Id));
                    }

                    throw new InvalidOperationException($"/status answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(5, cancellationToken);
                }
            }

            throw new TimeoutException("/status was not answered within 30 s.");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            data.Delete(recursive: true);
        }
    }

    private static string StatusCommand() => new JsonObject
    {
        ["type"] = 2,
        ["id"] = "1300000000000000001",
        ["application_id"] = "1300000000000000002",
        ["token"] = "cold-path-token",
        ["version"] = 1,
        ["guild_id"] = "1200000000000000001",
        ["channel_id"] = "1200000000000000002",
        ["member"] = new JsonObject
        {
            ["user"] = new JsonObject { ["id"] = "300000000000000001", ["username"] = "bench" },
            ["roles"] = new JsonArray(),
        },
        ["data"] = new JsonObject { ["id"] = "1300000000000000003", ["name"] = "status", ["type"] = 1 },
    }.ToJsonString();
}
