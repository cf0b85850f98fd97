using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Bench;

/// <summary>How every mode prints its figures: one indented JSON document on standard output.</summary>
internal static class BenchReport
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static void Print(JsonNode report) => Console.WriteLine(report.ToJsonString(Indented));

    /// <summary>A mode whose only argument is how many seconds each scenario runs.</summary>
    public static async Task<int> RunTimedAsync(string[] args, double defaultSeconds, Func<TimeSpan, CancellationToken, Task<JsonObject>> measure)
    {
        var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : defaultSeconds;
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        Print(await measure(TimeSpan.FromSeconds(seconds), cancel.Token));
        return 0;
    }
}
