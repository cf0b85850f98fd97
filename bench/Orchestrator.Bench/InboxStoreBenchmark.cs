using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Storage;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Bench;

/// <summary>
/// SqliteStore inbox throughput: <c>--writers</c> concurrent callers of <see cref="IWebhookInbox.AcceptAsync"/>
/// (64 by default, like 64 open webhook connections) store <c>--deliveries</c> distinct deliveries of
/// <c>--payload-bytes</c> each, once per durability, on a fresh file in the temp folder.
/// </summary>
internal static class InboxStoreBenchmark
{
    public const string Mode = "inbox-store";
    public const string Description = "SqliteStore inbox AcceptAsync throughput and latency [--writers 64] [--deliveries 20000] [--payload-bytes 8192]";

    public static async Task<int> RunAsync(string[] args)
    {
        var writers = Option(args, "--writers", 64);
        var deliveries = Option(args, "--deliveries", 20_000);
        var payloadBytes = Option(args, "--payload-bytes", 8192);
        var payload = Payload(payloadBytes);

        var results = new List<InboxStoreResult>();
        foreach (var durability in new[] { SqliteDurability.PowerLoss, SqliteDurability.Process })
        {
            results.Add(await MeasureAsync(durability, writers, deliveries, payload));
        }

        Console.WriteLine(JsonSerializer.Serialize(new InboxStoreReport(Mode, Environment.ProcessorCount, results), BenchJsonContext.Default.InboxStoreReport));
        return 0;
    }

    private static async Task<InboxStoreResult> MeasureAsync(SqliteDurability durability, int writers, int deliveries, byte[] payload)
    {
        var folder = Directory.CreateTempSubdirectory("orchestrator-bench-");
        try
        {
            var options = new StorageOptions { Sqlite = { Path = Path.Combine(folder.FullName, "bench.db"), Durability = durability } };
            await using var services = new ServiceCollection().AddSingleton(TimeProvider.System).BuildServiceProvider();
            var store = (SqliteStore)SqliteStore.Create(services, options);
            await using (store)
            {
                await store.InitializeAsync(CancellationToken.None);

                // Warm up the JIT, the connection and the file before measuring.
                await AcceptAllAsync(store.Inbox, "warmup", writers, Math.Min(2_000, deliveries), payload);

                var before = (await store.Jobs.GetStatsAsync(CancellationToken.None)).Pending;
                var stopwatch = Stopwatch.StartNew();
                var latencies = await AcceptAllAsync(store.Inbox, "run", writers, deliveries, payload);
                stopwatch.Stop();

                var enqueued = (await store.Jobs.GetStatsAsync(CancellationToken.None)).Pending - before;
                Array.Sort(latencies);
                return new InboxStoreResult(
                    durability.ToString(),
                    durability == SqliteDurability.PowerLoss ? "FULL" : "NORMAL",
                    writers,
                    deliveries,
                    payload.Length,
                    Math.Round(deliveries / stopwatch.Elapsed.TotalSeconds),
                    Math.Round(Percentile(latencies, 0.50), 2),
                    Math.Round(Percentile(latencies, 0.99), 2),
                    Math.Round(latencies[^1], 2),
                    enqueued);
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <returns>Each accept's latency in milliseconds.</returns>
    private static async Task<double[]> AcceptAllAsync(IWebhookInbox inbox, string prefix, int writers, int count, byte[] payload)
    {
        var latencies = new double[count];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
            {
                var delivery = new WebhookDelivery($"{prefix}-{i}", "issues", "opened", 1, DateTimeOffset.UtcNow, payload);
                var started = Stopwatch.GetTimestamp();
                var outcome = await inbox.AcceptAsync(delivery, CancellationToken.None);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (outcome != AcceptOutcome.Accepted)
                {
                    throw new InvalidOperationException($"Delivery {delivery.DeliveryId} was not accepted: {outcome}.");
                }
            }
        })));
        return latencies;
    }

    private static double Percentile(double[] sorted, double p) => sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(p * sorted.Length) - 1)];

    /// <summary>A JSON body of exactly <paramref name="bytes"/> bytes (at least its frame), shaped like a webhook payload.</summary>
    private static byte[] Payload(int bytes)
    {
        const string head = "{\"action\":\"opened\",\"issue\":{\"number\":7,\"title\":\"Bench\",\"body\":\"";
        const string tail = "\"}}";
        var body = string.Concat(Enumerable.Repeat("lorem ipsum ", (bytes / 12) + 1))[..Math.Max(0, bytes - head.Length - tail.Length)];
        return Encoding.UTF8.GetBytes(head + body + tail);
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }
}

internal sealed record InboxStoreResult(
    string Durability,
    string Synchronous,
    int Writers,
    int Deliveries,
    int PayloadBytes,
    double DeliveriesPerSecond,
    double P50Ms,
    double P99Ms,
    double MaxMs,
    long JobsEnqueued);

internal sealed record InboxStoreReport(string Mode, int ProcessorCount, IReadOnlyList<InboxStoreResult> Results);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(InboxStoreReport))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
