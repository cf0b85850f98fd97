using System.Globalization;
using System.Text.Json.Nodes;

namespace Orchestrator.Bench;

/// <summary>
/// Every figure of the README's table in one run and one JSON document, in the default configuration: endpoints
/// (PING, unique deliveries, log bytes, RSS), handled deliveries end to end, start-up of the published artifact and
/// the DynamoDB cold path. The machine's load average is printed before and after: figures taken while other
/// processes compete for the cores are not comparable.
/// </summary>
internal static class AllBenchmarks
{
    public const string Mode = "all";
    public const string Description = "every figure of the README table, default configuration [--seconds 10] [--handled-seconds 30] [--republish]";

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = double.Parse(StartupBenchmark.Option(args, "--seconds") ?? "10", CultureInfo.InvariantCulture);
        var handledSeconds = double.Parse(StartupBenchmark.Option(args, "--handled-seconds") ?? "30", CultureInfo.InvariantCulture);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(60));
        var report = new JsonObject
        {
            ["benchmark"] = Mode,
            ["load_average_before"] = ProcFs.LoadAverage(),
            ["endpoints"] = await EndpointsBenchmark.MeasureAsync(TimeSpan.FromSeconds(seconds), cancel.Token),
            ["handled"] = await HandledBenchmark.MeasureAsync(TimeSpan.FromSeconds(handledSeconds), cancel.Token),
            ["startup"] = await StartupBenchmark.MeasureAsync(args.Contains("--republish") ? ["--republish"] : []),
            ["cold_dynamo"] = await ColdPathBenchmark.MeasureAsync(StartupBenchmark.PublishDirectory([]), 5, cancel.Token),
            ["load_average_after"] = ProcFs.LoadAverage(),
        };
        BenchReport.Print(report);
        return 0;
    }
}
