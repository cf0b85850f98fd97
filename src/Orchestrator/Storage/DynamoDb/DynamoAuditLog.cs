using Amazon.DynamoDBv2.Model;
using static Orchestrator.Storage.DynamoDb.DynamoItems;

namespace Orchestrator.Storage.DynamoDb;

/// <summary>
/// Audit entries in the runs table: pk "audit#{runId}" (or "audit@{yyyy-MM}" for entries about no run), sk
/// "{at}#{unique}", so a run's entries are one query in time order. gsi1 ("audit", same sort key) holds every
/// entry in time order for the time-range query: audit entries come from people's actions, far below what
/// one index partition takes, so a single bucket answers any range with one query.
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
            ["gsi1pk"] = S(Bucket),
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
        var entries = new List<AuditEntry>();
        var request = new QueryRequest
        {
            TableName = table,
            IndexName = "gsi1",
            KeyConditionExpression = "gsi1pk = :bucket AND gsi1sk BETWEEN :from AND :to",
            FilterExpression = NotExpired,
            ExpressionAttributeNames = new() { ["#ttl"] = DynamoSchema.TimeToLive },
            ExpressionAttributeValues = new() { [":bucket"] = S(Bucket), [":from"] = S(Time(from)), [":to"] = S(Time(to)), [":nowEpoch"] = Epoch(time.GetUtcNow()) },
            Limit = limit,
        };
        do
        {
            var response = await client.QueryAsync(request, cancellationToken).ConfigureAwait(false);
            entries.AddRange((response.Items ?? []).Select(ToEntry));
            request.ExclusiveStartKey = response.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (request.ExclusiveStartKey is not null && entries.Count < limit);

        return entries.Take(limit).ToList();
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
