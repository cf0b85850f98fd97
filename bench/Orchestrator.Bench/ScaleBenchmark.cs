using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Orchestrator.Storage;
using Orchestrator.Storage.DynamoDb;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Bench;

/// <summary>
/// The DynamoDB store on dynalite, driven through the delivery path as Lambda runs it: the webhook function stores
/// each delivery (<see cref="IWebhookInbox.AcceptAsync"/>), the worker claims its job by id from the stream record
/// and completes it. Deliveries are GitHub's own example payloads (@octokit/webhooks-examples) of the events the
/// service subscribes to, in turn.
/// <para>Write and read units are computed from the items actually written, with DynamoDB's documented rules, because
/// dynalite reports ConsumedCapacity for the base table only, never for indexes, transactions or failed conditions:
/// a write costs 1 WRU per started KB of the larger of the old and new item (a failed conditional write too), twice
/// in a transaction; each index entry written costs 1 WRU per started KB of its projected attributes plus 100 bytes,
/// and changing an index key costs a delete and a put. Reads cost 1 RRU per started 4 KB (half when eventually
/// consistent). Each write is attributed to its partition key value (table or index), so the table says which key
/// would be hottest at a target rate.</para>
/// </summary>
internal static class ScaleBenchmark
{
    public const string Mode = "scale";
    public const string Description = "DynamoDB write/read units per delivery, hottest keys and cost per million [--deliveries 2000] [--rate 1000]";

    // Public on-demand prices, us-east-1 (aws.amazon.com/dynamodb/pricing, /lambda/pricing, /api-gateway/pricing,
    // /cloudwatch/pricing), read when this was written.
    private const double WriteUnitPrice = 0.625 / 1e6;
    private const double ReadUnitPrice = 0.125 / 1e6;
    private const double StoragePricePerGbMonth = 0.25;
    private const double BackupPricePerGbMonth = 0.20;
    private const double LambdaX86GbSecond = 0.0000166667; // the template deploys x86_64
    private const double LambdaRequest = 0.20 / 1e6;
    private const double HttpApiRequest = 1.00 / 1e6;
    private const double LogsIngestPerGb = 0.50;

    private static readonly HashSet<string> Subscribed = ["issues", "pull_request", "check_suite", "check_run", "workflow_run"];

    public static async Task<int> RunAsync(string[] args)
    {
        var deliveries = Option(args, "--deliveries", 2000);
        var rate = Option(args, "--rate", 1000);
        var concurrency = Option(args, "--concurrency", 8);

        // Assumptions of the cost model (not measurable without AWS), printed with the result.
        var webhookMs = Option(args, "--webhook-ms", 25);
        var jobMs = Option(args, "--job-ms", 50);
        var logBytes = Option(args, "--log-bytes", 1200);

        // GitHub sends compact JSON; the examples file is indented.
        var payloads = WebhookExamples.All.Where(e => Subscribed.Contains(e.Event)).Select(e => (e.Event, e.Action, Bytes: Compact(e.Json))).ToList();
        await using var dynalite = new DynaliteServer();
        await dynalite.InitializeAsync();
        var options = dynalite.Options("scale-");
        using var inner = dynalite.CreateClient();
        var meter = new UnitMeter(inner, options.DynamoDb.TablePrefix);
        var time = TimeProvider.System;
        var store = DynamoStore.Create(Recording.Wrap(inner, meter), options, time);
        await store.Admin.InitializeAsync(CancellationToken.None);
        meter.Reset();

        var jobsTable = options.DynamoDb.TablePrefix + DynamoSchema.Jobs.Suffix;
        var clock = Stopwatch.StartNew();
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next) - 1; i < deliveries; i = Interlocked.Increment(ref next) - 1)
            {
                var (name, action, bytes) = payloads[i % payloads.Count];
                var delivery = new WebhookDelivery(Guid.NewGuid().ToString(), name, action, 1, time.GetUtcNow(), bytes);
                if (await store.Inbox.AcceptAsync(delivery, CancellationToken.None) != AcceptOutcome.Accepted)
                {
                    throw new InvalidOperationException($"Delivery {delivery.DeliveryId} was not accepted.");
                }

                // The stream record carries the job's id; read it unmetered, as the record costs no read unit.
                var key = "job#" + DynamoJobQueue.KeyHash(InboxJob.For(delivery).IdempotencyKey);
                var item = (await inner.GetItemAsync(new GetItemRequest { TableName = jobsTable, Key = new() { ["pk"] = new() { S = key } }, ConsistentRead = true })).Item;
                var job = await store.Jobs.ClaimByIdAsync(item["id"].S, "scale", TimeSpan.FromMinutes(2), CancellationToken.None)
                    ?? throw new InvalidOperationException($"The job of {delivery.DeliveryId} could not be claimed.");

                // The webhook job's handler reads the delivery back (GitHub/WebhookJobHandler.cs), then the job completes.
                _ = await store.Inbox.GetAsync(delivery.DeliveryId, CancellationToken.None) ?? throw new InvalidOperationException($"Delivery {delivery.DeliveryId} is not stored.");
                if (!await store.Jobs.CompleteAsync(job, CancellationToken.None))
                {
                    throw new InvalidOperationException($"The job of {delivery.DeliveryId} could not be completed.");
                }
            }
        }))).ConfigureAwait(false);
        var elapsed = clock.Elapsed.TotalSeconds;

        var wru = meter.WriteUnits / deliveries;
        var rru = meter.ReadUnits / deliveries;
        var hottest = meter.ByKey
            .Select(k => new KeyLoad(k.Key.Scope, k.Key.PartitionKey, Round(k.Value.Write / deliveries * rate), Round(k.Value.Read / deliveries * rate)))
            .OrderByDescending(k => k.WriteUnitsPerSecond).ThenByDescending(k => k.ReadUnitsPerSecond)
            .ToList();
        var byScope = hottest.GroupBy(k => k.Scope).Select(g => new ScopeLoad(
            g.Key,
            Round(meter.ByKey.Where(k => k.Key.Scope == g.Key).Sum(k => k.Value.Write) / deliveries),
            g.Count(),
            g.First(),
            g.OrderByDescending(k => k.ReadUnitsPerSecond).First())).OrderBy(s => s.Scope, StringComparer.Ordinal).ToList();
        var worstWrite = hottest.Max(k => k.WriteUnitsPerSecond);
        var worstRead = hottest.Max(k => k.ReadUnitsPerSecond);

        // Storage: the inbox keeps a delivery for 14 days, the jobs table a completed job for 7 (the defaults).
        var (inboxBytes, jobsBytes) = meter.StoredBytes;
        var gbMonthsPerMillion = ((inboxBytes * 14) + (jobsBytes * 7)) / deliveries / 30.0 * 1e6 / 1e9;
        var costs = new List<CostLine>
        {
            new("DynamoDB writes", $"{Round(wru)} WRU x $0.625/M", wru * 1e6 * WriteUnitPrice),
            new("DynamoDB reads", $"{Round(rru)} RRU x $0.125/M", rru * 1e6 * ReadUnitPrice),
            new("DynamoDB storage and PITR", $"{Round(gbMonthsPerMillion)} GB-month x ($0.25 + $0.20)", gbMonthsPerMillion * (StoragePricePerGbMonth + BackupPricePerGbMonth)),
            new("HTTP API", "1 request x $1.00/M", 1e6 * HttpApiRequest),
            new("Lambda webhook function", $"1 GB x {webhookMs} ms (assumed) x86_64 + 1 request", 1e6 * ((webhookMs / 1000.0 * LambdaX86GbSecond) + LambdaRequest)),
            new("Lambda worker", $"1 GB x {jobMs} ms / 16 jobs at once (assumed) x86_64 + 1 request per 100 jobs", 1e6 * ((jobMs / 1000.0 / 16 * LambdaX86GbSecond) + (LambdaRequest / 100))),
            new("CloudWatch Logs", $"{logBytes} bytes (assumed) x $0.50/GB", 1e6 * logBytes / 1e9 * LogsIngestPerGb),
        };

        var report = new ScaleReport(
            Mode,
            "computed from the items written with DynamoDB's documented rules (dynalite reports base-table capacity only)",
            deliveries,
            Round(deliveries / elapsed),
            rate,
            Round(wru),
            Round(rru),
            meter.WriteUnitHistogram(deliveries),
            byScope,
            hottest.Take(10).ToList(),
            worstWrite <= 1000 && worstRead <= 3000,
            Round(worstWrite),
            Round(worstRead),
            costs.Select(c => c with { DollarsPerMillion = Round(c.DollarsPerMillion) }).ToList(),
            Round(costs.Sum(c => c.DollarsPerMillion)));
        Console.WriteLine(JsonSerializer.Serialize(report, ScaleJsonContext.Default.ScaleReport));
        return report.Holds && wru <= 8 ? 0 : 1;
    }

    private static double Round(double value) => Math.Round(value, 2);

    private static byte[] Compact(string json)
    {
        using var document = JsonDocument.Parse(json);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            document.WriteTo(writer);
        }

        return buffer.ToArray();
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    /// <summary>DynamoDB's item size: attribute names plus values (strings and binaries by length, numbers about one byte per two digits plus one).</summary>
    internal static long ItemSize(Dictionary<string, AttributeValue> item) => item.Sum(a => Encoding.UTF8.GetByteCount(a.Key) + ValueSize(a.Value));

    private static long ValueSize(AttributeValue value) => value switch
    {
        { S: { } s } => Encoding.UTF8.GetByteCount(s),
        { N: { } n } => (n.TrimStart('-').Replace(".", string.Empty, StringComparison.Ordinal).TrimStart('0').Length + 1) / 2 + 1,
        { B: { } b } => b.Length,
        _ => 1,
    };

    /// <summary>Counts units per scope (table or table/index) and partition key value.</summary>
    internal sealed class UnitMeter(IAmazonDynamoDB inner, string prefix)
    {
        private readonly ConcurrentDictionary<(string Scope, string PartitionKey), (double Write, double Read)> _byKey = new();
        private readonly ConcurrentDictionary<long, int> _perDelivery = new();
        private double _inboxBytes;
        private double _jobsBytes;

        public IReadOnlyDictionary<(string Scope, string PartitionKey), (double Write, double Read)> ByKey => _byKey;

        public double WriteUnits => _byKey.Values.Sum(v => v.Write);

        public double ReadUnits => _byKey.Values.Sum(v => v.Read);

        public (double Inbox, double Jobs) StoredBytes => (_inboxBytes, _jobsBytes);

        public void Reset()
        {
            _byKey.Clear();
            _inboxBytes = _jobsBytes = 0;
        }

        public Dictionary<string, double> WriteUnitHistogram(int deliveries) =>
            _byKey.GroupBy(k => k.Key.Scope).ToDictionary(g => g.Key, g => Round(g.Sum(k => k.Value.Write) / deliveries));

        public async Task<T> WriteAsync<T>(string table, Dictionary<string, AttributeValue> key, bool transactional, Func<Task<T>> call)
        {
            var definition = Definition(table);
            var old = await ReadAsync(table, key);
            try
            {
                var result = await call();
                var now = await ReadAsync(table, key);
                Charge(table, definition, old, now, transactional);
                return result;
            }
            catch (ConditionalCheckFailedException)
            {
                // A failed condition still costs the write of the item as it is.
                Add(table, key[DynamoSchema.PartitionKey].S, Units(old is null ? 1 : ItemSize(old), 1024) * (transactional ? 2 : 1), 0);
                throw;
            }
        }

        public void ChargeRead(string scope, string partitionKey, IEnumerable<Dictionary<string, AttributeValue>> items, bool consistent, bool index)
        {
            var bytes = items.Sum(i => ItemSize(i) + (index ? 100 : 0));
            Add(scope, partitionKey, 0, Units(Math.Max(bytes, 1), 4096) / (consistent ? 1 : 2));
        }

        private async Task<Dictionary<string, AttributeValue>?> ReadAsync(string table, Dictionary<string, AttributeValue> key)
        {
            var keyOnly = key.Where(k => k.Key is DynamoSchema.PartitionKey or DynamoSchema.SortKey).ToDictionary();
            var item = (await inner.GetItemAsync(new GetItemRequest { TableName = table, Key = keyOnly, ConsistentRead = true })).Item;
            return item is { Count: > 0 } ? item : null;
        }

        private void Charge(string table, TableDefinition definition, Dictionary<string, AttributeValue>? old, Dictionary<string, AttributeValue>? now, bool transactional)
        {
            var pk = (now ?? old)?[DynamoSchema.PartitionKey].S ?? "?";
            Add(table, pk, Units(Math.Max(old is null ? 0 : ItemSize(old), now is null ? 0 : ItemSize(now)), 1024) * (transactional ? 2 : 1), 0);
            if (now is not null && old is null)
            {
                if (definition.Suffix == DynamoSchema.Inbox.Suffix)
                {
                    _inboxBytes += ItemSize(now) + 100;
                }
                else if (definition.Suffix == DynamoSchema.Jobs.Suffix)
                {
                    _jobsBytes += ItemSize(now) + 100;
                }
            }

            foreach (var index in definition.Indexes)
            {
                var before = Entry(old, definition, index);
                var after = Entry(now, definition, index);
                var scope = table + "/" + index.Name;
                if (before is not null && after is not null && before[index.HashKey].S == after[index.HashKey].S && before[index.RangeKey].S == after[index.RangeKey].S)
                {
                    if (!Same(before, after))
                    {
                        Add(scope, after[index.HashKey].S, Units(ItemSize(after) + 100, 1024), 0);
                    }

                    continue;
                }

                if (before is not null)
                {
                    Add(scope, before[index.HashKey].S, Units(ItemSize(before) + 100, 1024), 0);
                }

                if (after is not null)
                {
                    Add(scope, after[index.HashKey].S, Units(ItemSize(after) + 100, 1024), 0);
                }
            }
        }

        private static Dictionary<string, AttributeValue>? Entry(Dictionary<string, AttributeValue>? item, TableDefinition table, IndexDefinition index)
        {
            if (item is null || !item.ContainsKey(index.HashKey) || !item.ContainsKey(index.RangeKey))
            {
                return null;
            }

            var projected = new HashSet<string>([table.HashKey, index.HashKey, index.RangeKey, .. index.NonKeyAttributes]);
            if (table.RangeKey is { } range)
            {
                projected.Add(range);
            }

            return index.Projection == ProjectionType.ALL ? item : item.Where(a => projected.Contains(a.Key)).ToDictionary();
        }

        private static bool Same(Dictionary<string, AttributeValue> a, Dictionary<string, AttributeValue> b) =>
            a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var v) && v.S == p.Value.S && v.N == p.Value.N);

        private static double Units(long bytes, int unit) => Math.Max(1, Math.Ceiling(bytes / (double)unit));

        private void Add(string scope, string partitionKey, double write, double read) =>
            _byKey.AddOrUpdate((Scope(scope), partitionKey), (write, read), (_, v) => (v.Write + write, v.Read + read));

        private string Scope(string scope) => scope.StartsWith(prefix, StringComparison.Ordinal) ? scope[prefix.Length..] : scope;

        private TableDefinition Definition(string table) => DynamoSchema.All.Single(t => prefix + t.Suffix == table);
    }

    /// <summary>IAmazonDynamoDB that forwards every call and meters the item operations the store makes.</summary>
#pragma warning disable CA1852 // DispatchProxy derives the proxy type from this class, so it cannot be sealed.
    internal class Recording : DispatchProxy
#pragma warning restore CA1852
    {
        private IAmazonDynamoDB _inner = null!;
        private UnitMeter _meter = null!;

        public static IAmazonDynamoDB Wrap(IAmazonDynamoDB inner, UnitMeter meter)
        {
            var proxy = Create<IAmazonDynamoDB, Recording>();
            var recording = (Recording)(object)proxy;
            recording._inner = inner;
            recording._meter = meter;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            var forward = () => targetMethod.Invoke(_inner, args);
            return args?.FirstOrDefault() switch
            {
                PutItemRequest put => _meter.WriteAsync(put.TableName, put.Item, false, () => (Task<PutItemResponse>)forward()!),
                UpdateItemRequest update => _meter.WriteAsync(update.TableName, update.Key, false, () => (Task<UpdateItemResponse>)forward()!),
                DeleteItemRequest delete => _meter.WriteAsync(delete.TableName, delete.Key, false, () => (Task<DeleteItemResponse>)forward()!),
                TransactWriteItemsRequest or BatchWriteItemRequest => throw new NotSupportedException($"{targetMethod.Name} is not on the delivery path; meter it before using it here."),
                GetItemRequest get => MeterRead(get.TableName, get.Key[DynamoSchema.PartitionKey].S, get.ConsistentRead == true, false, (Task<GetItemResponse>)forward()!, r => r.Item is { Count: > 0 } i ? [i] : []),
                QueryRequest query => MeterRead(
                    query.IndexName is null ? query.TableName : query.TableName + "/" + query.IndexName,
                    query.ExpressionAttributeValues.Values.First().S,
                    query.ConsistentRead == true,
                    query.IndexName is not null,
                    (Task<QueryResponse>)forward()!,
                    r => r.Items ?? []),
                BatchGetItemRequest batch => MeterBatchGet(batch, (Task<BatchGetItemResponse>)forward()!),
                _ => forward(),
            };
        }

        private async Task<BatchGetItemResponse> MeterBatchGet(BatchGetItemRequest request, Task<BatchGetItemResponse> call)
        {
            var result = await call;
            foreach (var (table, items) in result.Responses ?? [])
            {
                foreach (var item in items)
                {
                    _meter.ChargeRead(table, item[DynamoSchema.PartitionKey].S, [item], request.RequestItems[table].ConsistentRead == true, false);
                }
            }

            return result;
        }

        private async Task<T> MeterRead<T>(string scope, string partitionKey, bool consistent, bool index, Task<T> call, Func<T, List<Dictionary<string, AttributeValue>>> items)
        {
            var result = await call;
            _meter.ChargeRead(scope, partitionKey, items(result), consistent, index);
            return result;
        }
    }
}

internal sealed record KeyLoad(string Scope, string PartitionKey, double WriteUnitsPerSecond, double ReadUnitsPerSecond);

internal sealed record ScopeLoad(string Scope, double WriteUnitsPerDelivery, int KeysWritten, KeyLoad HottestWriteKey, KeyLoad HottestReadKey);

internal sealed record CostLine(string Item, string Basis, double DollarsPerMillion);

internal sealed record ScaleReport(
    string Mode,
    string UnitsSource,
    int Deliveries,
    double DeliveriesPerSecondOnDynalite,
    int TargetDeliveriesPerSecond,
    double WriteUnitsPerDelivery,
    double ReadUnitsPerDelivery,
    Dictionary<string, double> WriteUnitsPerDeliveryByScope,
    IReadOnlyList<ScopeLoad> Scopes,
    IReadOnlyList<KeyLoad> HottestKeysAtTarget,
    bool Holds,
    double MaxKeyWriteUnitsPerSecond,
    double MaxKeyReadUnitsPerSecond,
    IReadOnlyList<CostLine> CostPerMillionDeliveries,
    double DollarsPerMillionDeliveries);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ScaleReport))]
internal sealed partial class ScaleJsonContext : JsonSerializerContext;
