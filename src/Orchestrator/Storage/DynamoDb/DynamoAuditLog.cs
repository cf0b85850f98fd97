using Amazon.DynamoDBv2.Model;
using static Orchestrator.Storage.DynamoDb.DynamoItems;

namespace Orchestrator.Storage.DynamoDb;

/// <summary>
/// Audit entries in the runs table: pk "audit#{runId}" (or "audit@{yyyy-MM}" for entries about no run), sk
/// "{at}#{unique}", so a run's entries are one query in time order. gsi1 ("audit#{shard}", same sort key) holds every
/// entry in time order for the time-range query, spread over <see cref="DynamoSchema.Shards"/> values by the sort
/// key's hash so that system entries written per delivery never make one index key hot; a range query reads every
/// shard in parallel, merges by time and reads the entries themselves (the index projects keys only).
/// </summary>
internal sealed class DynamoAuditLog(DynamoClient client, string table, StorageOptions options, TimeProvider time) : IAuditLog
{
    private const string Bucket = "audit";
    private const string NotExpired = "attribute_not_exists(#ttl) OR #ttl > :nowEpoch";

    public async Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var sk = $"{Time(entry.At)}#{Guid.NewGuid():N}";
        var pk = entry.RunId is { } runId ? RunPk(runId) : $"audit@{entry.At.UtcDateTime:yyyy-MM}";
        var item = new Dictionary<string, AttributeValue>(Key(pk, sk))
        {
            ["gsi1pk"] = S(DynamoSchema.ShardKey(Bucket, DynamoSchema.ShardOf(sk))),
            ["gsi1sk"] = S(sk),
            ["at"] = TimeValue(entry.At),
            ["actor"] = S(entry.Actor),
            ["action"] = S(entry.Action),
            ["outcome"] = S(entry.Outcome.ToString()),
            [DynamoSchema.TimeToLive] = Epoch(entry.At + options.CompletedJobRetention),
        }
            .With("actorName", entry.ActorName)
            .With("runId", entry.RunId)
            .With("detail", entry.Detail);
        await client.PutItemAsync(new PutItemRequest { TableName = table, Item = item }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<AuditEntry>> ListByRunAsync(string runId, CancellationToken cancellationToken)
    {
        var items = await client.QueryAllAsync(
            new QueryRequest
            {
                TableName = table,
                KeyConditionExpression = "pk = :pk",
                FilterExpression = NotExpired,
                ExpressionAttributeNames = new() { ["#ttl"] = DynamoSchema.TimeToLive },
                ExpressionAttributeValues = new() { [":pk"] = S(RunPk(runId)), [":nowEpoch"] = Epoch(time.GetUtcNow()) },
                ConsistentRead = true,
            },
            cancellationToken).ConfigureAwait(false);
        return items.Select(ToEntry).ToList();
    }

    public async Task<IReadOnlyList<AuditEntry>> ListAsync(DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
    {
        if (limit <= 0 || from >= to)
        {
            return [];
        }

        // Sort keys are "{at}#{unique}": ">= from" takes entries at from; "< to" is "< '{to}'" since "{to}#…" sorts after "{to}".
        var now = time.GetUtcNow();
        var shards = await Task.WhenAll(DynamoSchema.AllShards(Bucket).Select(async shard =>
        {
            var keys = new List<Dictionary<string, AttributeValue>>();
            var request = new QueryRequest
            {
                TableName = table,
                IndexName = "gsi1",
                KeyConditionExpression = "gsi1pk = :bucket AND gsi1sk BETWEEN :from AND :to",
                ExpressionAttributeValues = new() { [":bucket"] = S(shard), [":from"] = S(Time(from)), [":to"] = S(Time(to)) },
                Limit = limit,
            };
            do
            {
                var response = await client.QueryAsync(request, cancellationToken).ConfigureAwait(false);
                keys.AddRange(response.Items ?? []);
                request.ExclusiveStartKey = response.LastEvaluatedKey is { Count: > 0 } last ? last : null;
            }
            while (request.ExclusiveStartKey is not null && keys.Count < limit);

            return keys;
        })).ConfigureAwait(false);

        // The oldest "limit" entries of the merged shards; entries past their retention that DynamoDB has not deleted
        // yet are dropped after reading (they are the oldest, so a range reaching that far back may return fewer).
        var oldest = shards.SelectMany(k => k).OrderBy(k => k.RequireString("gsi1sk"), StringComparer.Ordinal).Take(limit).ToList();
        var items = await client.BatchGetAsync(table, [.. oldest.Select(k => Key(k.RequireString(DynamoSchema.PartitionKey), k.RequireString(DynamoSchema.SortKey)))], cancellationToken).ConfigureAwait(false);
        return items
            .Where(i => !i.IsExpired(now))
            .OrderBy(i => i.RequireString(DynamoSchema.SortKey), StringComparer.Ordinal)
            .Select(ToEntry)
            .ToList();
    }

    private static string RunPk(string runId) => "audit#" + runId;

    private static AuditEntry ToEntry(Dictionary<string, AttributeValue> item) => Read(item, i => new AuditEntry(
        ParseTime(i.RequireString("at")),
        i.RequireString("actor"),
        i.GetString("actorName"),
        i.RequireString("action"),
        i.GetString("runId"),
        Enum.Parse<AuditOutcome>(i.RequireString("outcome")),
        i.GetString("detail")));
}
