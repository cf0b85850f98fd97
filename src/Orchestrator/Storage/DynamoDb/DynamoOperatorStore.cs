using Amazon.DynamoDBv2.Model;
using static Orchestrator.Storage.DynamoDb.DynamoItems;

namespace Orchestrator.Storage.DynamoDb;

/// <summary>
/// The operator's reads over the inbox and jobs tables. Waiting jobs are found through the jobs table's sharded "due"
/// index (see <see cref="DynamoJobQueue"/>: pending and leased jobs in "pending#0".."pending#f", dead letters in "dead")
/// and read from the table itself, since the index projects keys only.
/// The inbox has no index by time: listing deliveries scans the inbox's header items (kept for the inbox retention),
/// which suits an operator's occasional look, not a hot path.
/// </summary>
internal sealed class DynamoOperatorStore(DynamoClient client, string inboxTable, string jobsTable, TimeProvider time) : IOperatorStore
{
    private const string DueIndex = "due";

    /// <summary>A delivery header's attributes that a summary reads (names through <see cref="SummaryNames"/>).</summary>
    private const string SummaryProjection = "pk, #event, #action, hookId, receivedAt, #length, duplicates, lastDuplicateAt, #ttl";

    public async Task<IReadOnlyList<DeliverySummary>> ListDeliveriesAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken)
    {
        if (limit <= 0)
        {
            return [];
        }

        var now = time.GetUtcNow();
        var request = new ScanRequest
        {
            TableName = inboxTable,
            FilterExpression = "sk = :header AND receivedAt >= :since",
            ProjectionExpression = SummaryProjection,
            ExpressionAttributeNames = SummaryNames(),
            ExpressionAttributeValues = new() { [":header"] = S("header"), [":since"] = TimeValue(since) },
        };
        var found = new List<DeliverySummary>();
        do
        {
            var response = await client.ScanAsync(request, cancellationToken).ConfigureAwait(false);
            foreach (var item in response.Items ?? [])
            {
                if (!item.IsExpired(now))
                {
                    found.Add(Read(item, Summary));
                }
            }

            request.ExclusiveStartKey = response.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (request.ExclusiveStartKey is not null);

        return [.. found.OrderByDescending(d => d.ReceivedAt).ThenByDescending(d => d.DeliveryId, StringComparer.Ordinal).Take(limit)];
    }

    public async Task<DeliverySummary?> GetDeliveryAsync(string deliveryId, CancellationToken cancellationToken)
    {
        var response = await client.GetItemAsync(
            new GetItemRequest
            {
                TableName = inboxTable,
                Key = Key(DynamoInbox.PartitionKey(deliveryId), "header"),
                ConsistentRead = true,
                ProjectionExpression = SummaryProjection,
                ExpressionAttributeNames = SummaryNames(),
            },
            cancellationToken).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item && !item.IsExpired(time.GetUtcNow()) ? Read(item, Summary) : null;
    }

    private static Dictionary<string, string> SummaryNames() =>
        new() { ["#event"] = "event", ["#action"] = "action", ["#length"] = "length", ["#ttl"] = DynamoSchema.TimeToLive };

    private static DeliverySummary Summary(Dictionary<string, AttributeValue> header) => new(
        header.RequireString(DynamoSchema.PartitionKey)["delivery#".Length..],
        header.RequireString("event"),
        header.GetString("action"),
        header.GetNumber("hookId"),
        ParseTime(header.RequireString("receivedAt")),
        header.GetNumber("length") ?? 0,
        checked((int)(header.GetNumber("duplicates") ?? 0)),
        header.GetTime("lastDuplicateAt"));

    public async Task<IReadOnlyList<Job>> ListJobsAsync(JobState state, int limit, CancellationToken cancellationToken)
    {
        // Pending and leased jobs share the pending shards (a claim leaves a job in place); dead letters have one partition.
        var (queues, newestFirst) = state switch
        {
            JobState.Pending or JobState.Leased => (DynamoSchema.AllShards("pending").ToList(), false),
            JobState.DeadLettered => (["dead"], true),
            _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Only waiting jobs (pending, leased, dead-lettered) are listed."),
        };
        if (limit <= 0)
        {
            return [];
        }

        // Each partition is sorted by dueAt: read its first entries (more than asked for, since a shard mixes pending
        // and leased jobs), then merge, read the items and keep the state asked for.
        var perShard = Math.Min(limit * 2 + 10, 1000);
        var shards = await Task.WhenAll(queues.Select(queue => client.QueryAsync(
            new QueryRequest
            {
                TableName = jobsTable,
                IndexName = DueIndex,
                KeyConditionExpression = "#queue = :queue",
                ExpressionAttributeNames = new() { ["#queue"] = "queue" },
                ExpressionAttributeValues = new() { [":queue"] = S(queue) },
                ScanIndexForward = !newestFirst,
                Limit = perShard,
            },
            cancellationToken))).ConfigureAwait(false);
        var entries = shards.SelectMany(r => r.Items ?? []).Select(i => (Pk: i.RequireString(DynamoSchema.PartitionKey), DueAt: i.RequireString("dueAt")));
        var keys = (newestFirst
            ? entries.OrderByDescending(e => e.DueAt, StringComparer.Ordinal)
            : entries.OrderBy(e => e.DueAt, StringComparer.Ordinal)).Select(e => e.Pk).Distinct(StringComparer.Ordinal).ToList();
        if (keys.Count == 0)
        {
            return [];
        }

        var items = await client.BatchGetAsync(jobsTable, [.. keys.Select(k => Key(k))], cancellationToken).ConfigureAwait(false);
        var byKey = items.ToDictionary(i => i.RequireString(DynamoSchema.PartitionKey), StringComparer.Ordinal);
        var now = time.GetUtcNow();

        // The index is eventually consistent: keep its order, and only live jobs still in the state asked for.
        var jobs = keys.Select(k => byKey.GetValueOrDefault(k))
            .OfType<Dictionary<string, AttributeValue>>()
            .Where(i => !i.IsExpired(now))
            .Select(TryRead)
            .OfType<Job>()
            .Where(j => j.State == state);
        return [.. (state == JobState.Leased ? jobs.OrderBy(j => j.LeaseExpiresAt) : jobs).Take(limit)];
    }

    public async Task<Job?> FindJobByKeyAsync(string idempotencyKey, CancellationToken cancellationToken)
    {
        var response = await client.GetItemAsync(
            new GetItemRequest { TableName = jobsTable, Key = Key("job#" + DynamoJobQueue.KeyHash(idempotencyKey)), ConsistentRead = true },
            cancellationToken).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item && !item.IsExpired(time.GetUtcNow()) && item.GetString("idempotencyKey") == idempotencyKey
            ? TryRead(item)
            : null;
    }

    public async Task<bool> RetryDeadLetterAsync(string jobId, CancellationToken cancellationToken)
    {
        if (DynamoJobQueue.ItemKey(jobId) is not { } pk)
        {
            return false;
        }

        var now = TimeValue(time.GetUtcNow());
        try
        {
            // Back into its pending shard (the first hex digit of its key's hash, which names its item).
            await client.UpdateItemAsync(
                new UpdateItemRequest
                {
                    TableName = jobsTable,
                    Key = Key(pk),
                    ConditionExpression = "attribute_exists(pk) AND id = :id AND #state = :dead",
                    UpdateExpression = "SET #state = :pending, #queue = :queue, #dueAt = :now, scheduledAt = :now, attempts = :zero REMOVE deadLetteredAt",
                    ExpressionAttributeNames = new() { ["#state"] = "state", ["#queue"] = "queue", ["#dueAt"] = "dueAt" },
                    ExpressionAttributeValues = new()
                    {
                        [":id"] = S(jobId),
                        [":dead"] = S(nameof(JobState.DeadLettered)),
                        [":pending"] = S(nameof(JobState.Pending)),
                        [":queue"] = S(DynamoSchema.ShardKey("pending", Convert.ToInt32(pk["job#".Length..("job#".Length + 1)], 16))),
                        [":now"] = now,
                        [":zero"] = N(0),
                    },
                },
                cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    private static Job? TryRead(Dictionary<string, AttributeValue> item)
    {
        try
        {
            return DynamoJobQueue.ToJob(item);
        }
        catch (CorruptRecordException)
        {
            return null; // listed by what can be read; GetAsync on that id reports the damage
        }
    }
}
