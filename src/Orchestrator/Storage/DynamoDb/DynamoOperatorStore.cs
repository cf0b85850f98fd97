using Amazon.DynamoDBv2.Model;
using static Orchestrator.Storage.DynamoDb.DynamoItems;

namespace Orchestrator.Storage.DynamoDb;

/// <summary>
/// The operator's reads over the inbox and jobs tables. Waiting jobs are found through the jobs table's "due" index
/// (see <see cref="DynamoJobQueue"/>) and read from the table itself, so what the index projects does not matter.
/// The inbox has no index by time: listing deliveries scans the inbox's header items (kept for the inbox retention),
/// which suits an operator's occasional look, not a hot path.
/// </summary>
internal sealed class DynamoOperatorStore(DynamoClient client, string inboxTable, string jobsTable, TimeProvider time) : IOperatorStore
{
    private const string DueIndex = "due";

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
            ProjectionExpression = "deliveryId, #event, #action, hookId, receivedAt, #length, #ttl",
            ExpressionAttributeNames = new() { ["#event"] = "event", ["#action"] = "action", ["#length"] = "length", ["#ttl"] = DynamoSchema.TimeToLive },
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
                    found.Add(Read(item, i => new DeliverySummary(
                        i.RequireString("deliveryId"),
                        i.RequireString("event"),
                        i.GetString("action"),
                        i.GetNumber("hookId"),
                        ParseTime(i.RequireString("receivedAt")),
                        i.GetNumber("length") ?? 0)));
                }
            }

            request.ExclusiveStartKey = response.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (request.ExclusiveStartKey is not null);

        return [.. found.OrderByDescending(d => d.ReceivedAt).ThenByDescending(d => d.DeliveryId, StringComparer.Ordinal).Take(limit)];
    }

    public async Task<IReadOnlyList<Job>> ListJobsAsync(JobState state, int limit, CancellationToken cancellationToken)
    {
        var (queues, newestFirst) = state switch
        {
            JobState.Pending => (QueuePartitions("pending"), false),
            JobState.Leased => (QueuePartitions("leased"), false),
            JobState.DeadLettered => (QueuePartitions("dead"), true),
            _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Only waiting jobs (pending, leased, dead-lettered) are listed."),
        };
        if (limit <= 0)
        {
            return [];
        }

        // Each partition of the index is sorted by dueAt: take the first `limit` of each, then merge.
        var entries = new List<(string Pk, string DueAt)>();
        foreach (var queue in queues)
        {
            var request = new QueryRequest
            {
                TableName = jobsTable,
                IndexName = DueIndex,
                KeyConditionExpression = "#queue = :queue",
                ProjectionExpression = "pk, #dueAt",
                ExpressionAttributeNames = new() { ["#queue"] = "queue", ["#dueAt"] = "dueAt" },
                ExpressionAttributeValues = new() { [":queue"] = S(queue) },
                ScanIndexForward = !newestFirst,
                Limit = limit,
            };
            var response = await client.QueryAsync(request, cancellationToken).ConfigureAwait(false);
            entries.AddRange((response.Items ?? []).Select(i => (i.RequireString(DynamoSchema.PartitionKey), i.RequireString("dueAt"))));
        }

        var ordered = newestFirst
            ? entries.OrderByDescending(e => e.DueAt, StringComparer.Ordinal)
            : entries.OrderBy(e => e.DueAt, StringComparer.Ordinal);
        var keys = ordered.Take(limit).Select(e => e.Pk).ToList();
        if (keys.Count == 0)
        {
            return [];
        }

        var items = await client.BatchGetAsync(jobsTable, [.. keys.Select(k => Key(k))], cancellationToken).ConfigureAwait(false);
        var byKey = items.ToDictionary(i => i.RequireString(DynamoSchema.PartitionKey), StringComparer.Ordinal);

        // The index is eventually consistent: keep the order it gave, and only jobs still in the state asked for.
        return [.. keys.Select(k => byKey.GetValueOrDefault(k)).OfType<Dictionary<string, AttributeValue>>().Select(TryRead).OfType<Job>().Where(j => j.State == state)];
    }

    public async Task<Job?> FindJobByKeyAsync(string idempotencyKey, CancellationToken cancellationToken)
    {
        var key = await client.GetItemAsync(
            new GetItemRequest { TableName = jobsTable, Key = Key(DynamoJobQueue.IdempotencyKey(idempotencyKey)), ConsistentRead = true },
            cancellationToken).ConfigureAwait(false);
        if (key.Item?.GetString("jobId") is not { } jobId)
        {
            return null;
        }

        var job = await client.GetItemAsync(
            new GetItemRequest { TableName = jobsTable, Key = Key(DynamoJobQueue.JobKey(jobId)), ConsistentRead = true },
            cancellationToken).ConfigureAwait(false);
        return job.Item is { Count: > 0 } item && !item.IsExpired(time.GetUtcNow()) ? TryRead(item) : null;
    }

    public async Task<bool> RetryDeadLetterAsync(string jobId, CancellationToken cancellationToken)
    {
        var now = TimeValue(time.GetUtcNow());
        try
        {
            await client.UpdateItemAsync(
                new UpdateItemRequest
                {
                    TableName = jobsTable,
                    Key = Key(DynamoJobQueue.JobKey(jobId)),
                    ConditionExpression = "attribute_exists(pk) AND #state = :dead",
                    UpdateExpression = "SET #state = :pending, #queue = :queue, #dueAt = :now, scheduledAt = :now, attempts = :zero REMOVE deadLetteredAt",
                    ExpressionAttributeNames = new() { ["#state"] = "state", ["#queue"] = "queue", ["#dueAt"] = "dueAt" },
                    ExpressionAttributeValues = new()
                    {
                        [":dead"] = S(nameof(JobState.DeadLettered)),
                        [":pending"] = S(nameof(JobState.Pending)),
                        [":queue"] = S(PendingPartition(jobId)),
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

    /// <summary>The index partition values of a queue (see <see cref="DynamoJobQueue"/>).</summary>
    private static IReadOnlyList<string> QueuePartitions(string queue) => [queue];

    /// <summary>The pending partition a job is enqueued under (see <see cref="DynamoJobQueue.EnqueueWrites"/>).</summary>
    private static string PendingPartition(string jobId) => jobId.Length > 0 ? "pending" : throw new ArgumentException("A job id is required.", nameof(jobId));

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
