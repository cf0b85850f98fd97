using System.Diagnostics;
using System.Text.Json.Serialization;

namespace Orchestrator.Bench;

/// <summary>A closed-loop load driver: N connections each send a request, await the answer, and send the next.</summary>
internal static class LoadDriver
{
    public static async Task<LoadResult> RunAsync(
        string name,
        Uri baseAddress,
        int connections,
        TimeSpan duration,
        Func<int, HttpRequestMessage> request,
        Func<HttpResponseMessage, bool> ok,
        CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };

        // Warm up: JIT, connection pool and the store's first writes are not what we measure.
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async i =>
        {
            using var warm = request(-1 - i);
            using var response = await client.SendAsync(warm, cancellationToken);
        }));

        var latencies = new List<double>[connections];
        var errors = 0;
        var sequence = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async c =>
        {
            var mine = latencies[c] = new List<double>(65536);
            while (clock.Elapsed < duration)
            {
                using var message = request(Interlocked.Increment(ref sequence));
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await client.SendAsync(message, cancellationToken);
                    if (!ok(response))
                    {
                        Interlocked.Increment(ref errors);
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref errors);
                }

                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }));
        var elapsed = clock.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new LoadResult(
            name,
            connections,
            all.Length,
            errors,
            Math.Round(all.Length / elapsed, 0),
            Percentile(all, 0.50),
            Percentile(all, 0.99),
            Percentile(all, 1.0));
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : Math.Round(sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)], 2);
}

internal sealed record LoadResult(
    [property: JsonPropertyName("scenario")] string Scenario,
    [property: JsonPropertyName("connections")] int Connections,
    [property: JsonPropertyName("requests")] int Requests,
    [property: JsonPropertyName("errors")] int Errors,
    [property: JsonPropertyName("requests_per_second")] double RequestsPerSecond,
    [property: JsonPropertyName("p50_ms")] double P50Ms,
    [property: JsonPropertyName("p99_ms")] double P99Ms,
    [property: JsonPropertyName("max_ms")] double MaxMs);
