using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Bench;

/// <summary>
/// Cold start of the published Lambda artifact as the Web Adapter runs it: <c>run.sh</c> with the worker's
/// environment (DynamoDB replaced by a fresh SQLite file), timed from process start to the first 200 on /healthz
/// (polled every 5 ms; the adapter polls every 10 ms). Also reports the artifact's size (files and zipped, since
/// Lambda limits a zip to 50 MB and its contents to 250 MB) and the resident memory after some idle seconds.
/// </summary>
internal static class StartupBenchmark
{
    public const string Mode = "startup";
    public const string Description = "published artifact: start to first /healthz 200, size, idle RSS [--publish-dir DIR] [--republish] [--runs 5] [--idle-seconds 3] [--env K=V]";

    public static async Task<int> RunAsync(string[] args)
    {
        BenchReport.Print(await MeasureAsync(args));
        return 0;
    }

    public static async Task<System.Text.Json.Nodes.JsonNode> MeasureAsync(string[] args)
    {
        var directory = PublishDirectory(args);
        var runs = int.Parse(Option(args, "--runs") ?? "5", CultureInfo.InvariantCulture);
        var idle = TimeSpan.FromSeconds(double.Parse(Option(args, "--idle-seconds") ?? "3", CultureInfo.InvariantCulture));
        var extra = Options(args, "--env").Select(e => e.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : string.Empty);

        await EnsurePublishedAsync(directory, args.Contains("--republish"));

        var startups = new List<double>();
        var cpu = new List<double>();
        long idleRss = 0;
        for (var i = 0; i < runs; i++)
        {
            var (elapsed, cpuMs, rss) = await MeasureOnceAsync(directory, extra, measureIdle: i == runs - 1 ? idle : null);
            startups.Add(elapsed);
            cpu.Add(cpuMs);
            idleRss = rss ?? idleRss;
        }

        var sorted = startups.Order().ToList();
        var report = new StartupReport(
            Mode,
            Environment.ProcessorCount,
            directory,
            extra,
            ArtifactBytes(directory),
            ZippedBytes(directory),
            [.. startups.Select(s => Math.Round(s, 1))],
            Math.Round(sorted[0], 1),
            Math.Round(sorted[sorted.Count / 2], 1),
            Math.Round(sorted[^1], 1),
            TargetMs: 100,
            MeetsTarget: sorted[sorted.Count / 2] <= 100,
            [.. cpu.Select(c => Math.Round(c, 1))],
            Math.Round(cpu.Order().ElementAt(cpu.Count / 2), 1),
            LoadAverage(),
            idleRss,
            idle.TotalSeconds);
        return JsonSerializer.SerializeToNode(report, StartupJsonContext.Default.StartupReport)!;
    }

    private static async Task<(double StartupMs, double CpuMs, long? IdleRss)> MeasureOnceAsync(string directory, Dictionary<string, string> extra, TimeSpan? measureIdle)
    {
        var data = Directory.CreateTempSubdirectory("orchestrator-startup-");
        var port = FreePort();
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = data.FullName,
        };
        start.ArgumentList.Add(Path.Combine(directory, "run.sh"));

        // Default settings (SQLite in the working directory, hosted worker on), as a user starts it; the port as the
        // adapter sets it. The Lambda path on DynamoDB is the cold-dynamo mode.
        start.Environment["AWS_LWA_PORT"] = port.ToString(CultureInfo.InvariantCulture);
        start.Environment.Remove("ASPNETCORE_URLS");
        foreach (var (key, value) in extra)
        {
            start.Environment[key] = value;
        }

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var health = new Uri($"http://127.0.0.1:{port}/healthz");
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            double? ready = null;
            while (ready is null && clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"The app exited with code {process.ExitCode} during start-up.");
                }

                try
                {
                    using var response = await client.GetAsync(health);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        ready = clock.Elapsed.TotalMilliseconds;
                    }
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(5);
                }
            }

            if (ready is null)
            {
                throw new TimeoutException("/healthz did not answer 200 within 30 s.");
            }

            var cpuMs = CpuMilliseconds(process.Id);
            long? rss = null;
            if (measureIdle is { } idle)
            {
                await Task.Delay(idle);
                rss = ResidentBytes(process.Id);
            }

            return (ready.Value, cpuMs, rss);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            data.Delete(recursive: true);
        }
    }

    public static string PublishDirectory(string[] args) =>
        Path.GetFullPath(Option(args, "--publish-dir") ?? Path.Combine(Orchestrator.Tests.Infrastructure.TestTools.RepositoryRoot, "artifacts", "publish"));

    public static async Task EnsurePublishedAsync(string directory, bool republish)
    {
        if (republish || !File.Exists(Path.Combine(directory, "run.sh")))
        {
            await PublishAsync(directory);
        }
    }

    /// <summary>The same publish as deploy.sh and CI.</summary>
    private static async Task PublishAsync(string directory)
    {
        var project = Path.Combine(Orchestrator.Tests.Infrastructure.TestTools.RepositoryRoot, "src", "Orchestrator");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true };
        foreach (var argument in new[] { "publish", project, "-c", "Release", "-r", "linux-x64", "--self-contained", "false", "-p:PublishReadyToRun=true", "-o", directory, "-v", "q" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish failed with exit code {process.ExitCode}.");
        }
    }

    private static long ArtifactBytes(string directory) =>
        new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

    private static long ZippedBytes(string directory)
    {
        var zip = Path.Combine(Path.GetTempPath(), $"orchestrator-artifact-{Guid.NewGuid():N}.zip");
        try
        {
            ZipFile.CreateFromDirectory(directory, zip, CompressionLevel.Optimal, includeBaseDirectory: false);
            return new FileInfo(zip).Length;
        }
        finally
        {
            File.Delete(zip);
        }
    }

    private static long ResidentBytes(int processId)
    {
        // run.sh execs dotnet, so the shell's pid is the app's.
        var line = File.ReadLines($"/proc/{processId}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>
    /// User plus system CPU time the process has used (from /proc/PID/stat, in clock ticks of 10 ms): unlike the wall
    /// clock, it hardly moves when other processes compete for the cores.
    /// </summary>
    public static double CpuMilliseconds(int processId)
    {
        var stat = File.ReadAllText($"/proc/{processId}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks * 10.0;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string? Option(string[] args, string name) => Options(args, name).LastOrDefault();

    private static IEnumerable<string> Options(string[] args, string name)
    {
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == name)
            {
                yield return args[i + 1];
            }
        }
    }
}

internal sealed record StartupReport(
    string Mode,
    int Processors,
    string PublishDir,
    Dictionary<string, string> Environment,
    long ArtifactBytes,
    long ArtifactZipBytes,
    IReadOnlyList<double> StartupMs,
    double StartupMsMin,
    double StartupMsMedian,
    double StartupMsMax,
    int TargetMs,
    bool MeetsTarget,
    IReadOnlyList<double> StartupCpuMs,
    double StartupCpuMsMedian,
    string LoadAverage,
    long IdleRssBytes,
    double IdleSeconds);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(StartupReport))]
internal sealed partial class StartupJsonContext : JsonSerializerContext;
