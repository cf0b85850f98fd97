using Amazon.DynamoDBv2.Model;
using Orchestrator.Runs;
using static Orchestrator.Storage.DynamoDb.DynamoItems;

namespace Orchestrator.Storage.DynamoDb;

/// <summary>
/// Jobs table: one item per idempotency key, pk "job#{h}" where h is the first 128 bits of the key's SHA-256 in hex,
/// so that a conditional put of the job is the idempotency check (no separate key item). The job id is
/// "{time-sortable id}-{h}": ids sort by creation and name their item. An expired job's item may be replaced by a new
/// job with the same key, which gets a new id.
/// <para>The sparse "due" index (queue, dueAt) holds every job that is waiting for something, spread over
/// <see cref="DynamoSchema.Shards"/> partition values "pending#{first hex digit of h}" sorted by when it may run, and
/// "dead" sorted by when it was dead-lettered. The index projects keys only and a claimed job keeps its place in
/// its pending shard, so a claim writes no index entry (moving it would cost a delete and a put); a poller reads the
/// items of the due entries it finds (half a read unit each) to skip live leases. A completed job leaves the index
/// (its queue attribute is removed) and expires after the completed-job retention. Every state change is a conditional write, so two workers never
/// both win a job.</para>
/// </summary>
internal sealed class DynamoJobQueue(DynamoClient client, string table, StorageOptions options, TimeProvider time) : IJobQueue
{
    private const string DueIndex = "due";
    private const string PendingBucket = "pending";
    private const string DeadQueue = "dead";

    /// <summary>Reserved words and index keys, always written through these names.</summary>
    private static readonly Dictionary<string, string> Names = new()
    {
        ["#state"] = "state",
        ["#queue"] = "queue",
        ["#dueAt"] = "dueAt",
        ["#ttl"] = DynamoSchema.TimeToLive,
    };

    /// <summary>The first 128 bits of the key's SHA-256 in hex: names the job item of this key.</summary>
    public static string KeyHash(string idempotencyKey) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(idempotencyKey)).AsSpan(0, 16));

    /// <summary>The item of a job id "{time id}-{hash}"; null for a string that is not a job id.</summary>
    public static string? ItemKey(string jobId)
    {
        var dash = jobId.LastIndexOf('-');
        return dash > 0 && jobId.Length - dash - 1 == 32 ? "job#" + jobId[(dash + 1)..] : null;
    }

    public static string NewJobId(TimeProvider time, string idempotencyKey) => RunId.New(time).Value + "-" + KeyHash(idempotencyKey);

    /// <summary>The index partition of a pending job: its item's shard.</summary>
    public static string PendingQueue(string idempotencyKey) => DynamoSchema.ShardKey(PendingBucket, Convert.ToInt32(KeyHash(idempotencyKey)[..1], 16));

    /// <summary>
    /// The put that enqueues a job: only if no live job holds the key (an expired one may be replaced, as DynamoDB
    /// deletes expired items only eventually). <paramref name="ifAbsent"/> refuses even an expired one. The job keeps
    /// the trace context of the caller's current span, if any, in "traceParent".
    /// </summary>
    public static PutItemRequest EnqueuePut(string table, JobRequest request, string jobId, DateTimeOffset now, bool ifAbsent = false)
    {
        var due = request.DueAt ?? now;
        var item = new Dictionary<string, AttributeValue>
        {
            [DynamoSchema.PartitionKey] = S("job#" + KeyHash(request.IdempotencyKey)),
            ["id"] = S(jobId),
            ["kind"] = S(request.Kind),
            ["idempotencyKey"] = S(request.IdempotencyKey),
            ["payload"] = S(request.Payload),
            ["state"] = S(nameof(JobState.Pending)),
            ["createdAt"] = TimeValue(now),
            ["scheduledAt"] = TimeValue(due),
            ["attempts"] = N(0),
            ["queue"] = S(PendingQueue(request.IdempotencyKey)),
            ["dueAt"] = TimeValue(due),
        };
        if (Telemetry.OrchestratorTracing.CurrentTraceParent() is { } trace)
        {
            item["traceParent"] = S(trace);
        }

        return new PutItemRequest
        {
            TableName = table,
            Item = item,
            ConditionExpression = ifAbsent ? "attribute_not_exists(pk)" : DynamoItems.AbsentOrExpired,
            ExpressionAttributeNames = ifAbsent ? null : new() { ["#ttl"] = DynamoSchema.TimeToLive },
            ExpressionAttributeValues = ifAbsent ? null : new() { [":nowEpoch"] = Epoch(now) },
            ReturnValuesOnConditionCheckFailure = Amazon.DynamoDBv2.ReturnValuesOnConditionCheckFailure.ALL_OLD,
        };
    }

    public async Task<EnqueueResult> EnqueueAsync(JobRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var jobId = NewJobId(time, request.IdempotencyKey);
        var put = EnqueuePut(table, request, jobId, time.GetUtcNow());
        try
        {
            await client.PutItemAsync(put, cancellationToken).ConfigureAwait(false);
            return new EnqueueResult(jobId, Created: true);
        }
        catch (ConditionalCheckFailedException ex)
        {
            var existing = (ex.Item is { Count: > 0 } old ? old : await GetItemAsync(put.Item[DynamoSchema.PartitionKey].S, cancellationToken).ConfigureAwait(false))
                ?.GetString("id")
                ?? throw new StoreUnavailableException($"The job of idempotency key {request.IdempotencyKey} vanished while enqueueing.", ex);
            return new EnqueueResult(existing, Created: false);
        }
    }

    public async Task<IReadOnlyList<Job>> ClaimAsync(string owner, TimeSpan lease, int max, CancellationToken cancellationToken)
    {
        if (max <= 0)
        {
            return [];
        }

        var now = time.GetUtcNow();

        // Every shard in parallel, merged by due time. The index is eventually consistent and other workers race for
        // the same jobs, so read a few more candidates than wanted; each claim is a conditional write on the item.
        var limit = Math.Min(max * 2 + 4, 100);
        var shards = await Task.WhenAll(DynamoSchema.AllShards(PendingBucket).Select(queue => DueInShardAsync(queue, now, limit, cancellationToken))).ConfigureAwait(false);
        var candidates = shards.SelectMany(c => c).OrderBy(c => c.DueAt, StringComparer.Ordinal);

        var claimed = new List<Job>();
        foreach (var (_, pk) in candidates)
        {
            if (claimed.Count == max)
            {
                break;
            }

            try
            {
                if (await TryClaimAsync(pk, jobId: null, owner, lease, now, cancellationToken).ConfigureAwait(false) is { } job)
                {
                    claimed.Add(job);
                }
            }
            catch (CorruptRecordException ex)
            {
                // Leased but unreadable: no handler can run it, so take it out of the queue rather than block it.
                await DeadLetterUnreadableAsync(pk, ex, cancellationToken).ConfigureAwait(false);
            }
        }

        return claimed;
    }

    /// <summary>
    /// Up to <paramref name="limit"/> jobs of one shard that are due and not under a live lease, oldest first. Leased
    /// jobs keep their place in the shard, so the query follows pages of index entries (keys only: a page of 100
    /// costs about one read unit) and reads their items, eventually consistent (the claim itself is conditional).
    /// </summary>
    private async Task<List<(string DueAt, string Pk)>> DueInShardAsync(string queue, DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        var found = new List<(string DueAt, string Pk)>();
        var request = new QueryRequest
        {
            TableName = table,
            IndexName = DueIndex,
            KeyConditionExpression = "#queue = :queue AND #dueAt <= :now",
            ExpressionAttributeNames = new() { ["#queue"] = "queue", ["#dueAt"] = "dueAt" },
            ExpressionAttributeValues = new() { [":queue"] = S(queue), [":now"] = TimeValue(now) },
            Limit = 100,
        };
        do
        {
            var response = await client.QueryAsync(request, cancellationToken).ConfigureAwait(false);
            var entries = response.Items ?? [];
            if (entries.Count > 0)
            {
                var items = await client.BatchGetAsync(table, [.. entries.Select(e => Key(e.RequireString(DynamoSchema.PartitionKey)))], cancellationToken, consistent: false).ConfigureAwait(false);
                found.AddRange(items.Where(i => Claimable(i, now)).Select(i => (i.RequireString("dueAt"), i.RequireString(DynamoSchema.PartitionKey))));
            }

            request.ExclusiveStartKey = response.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (request.ExclusiveStartKey is not null && found.Count < limit);

        return [.. found.OrderBy(f => f.DueAt, StringComparer.Ordinal).Take(limit)];
    }

    /// <summary>What the claim's condition accepts, read before trying it so that a live lease costs no failed write.</summary>
    private static bool Claimable(Dictionary<string, AttributeValue> item, DateTimeOffset now)
    {
        var at = Time(now);
        return item.GetString("state") switch
        {
            nameof(JobState.Pending) => string.CompareOrdinal(item.GetString("scheduledAt"), at) <= 0,
            nameof(JobState.Leased) => string.CompareOrdinal(item.GetString("leaseExpiresAt"), at) <= 0,
            _ => false,
        };
    }

    public Task<Job?> ClaimByIdAsync(string jobId, string owner, TimeSpan lease, CancellationToken cancellationToken) =>
        ItemKey(jobId) is { } pk ? TryClaimAsync(pk, jobId, owner, lease, time.GetUtcNow(), cancellationToken) : Task.FromResult<Job?>(null);

    public Task<bool> CompleteAsync(Job job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var now = time.GetUtcNow();

        // One plain conditional update: the item is its own idempotency record, and it expires after the retention.
        return TransitionAsync(
            job,
            "SET #state = :completed, completedAt = :now, #ttl = :expires REMOVE #queue, #dueAt, leaseOwner, leaseExpiresAt",
            new() { [":completed"] = S(nameof(JobState.Completed)), [":now"] = TimeValue(now), [":expires"] = Epoch(now + options.CompletedJobRetention) },
            cancellationToken);
    }

    public Task<bool> FailAsync(Job job, string error, DateTimeOffset? retryAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var now = time.GetUtcNow();
        return retryAt is { } retry
            ? TransitionAsync(
                job,
                "SET #state = :pending, #dueAt = :due, scheduledAt = :due, lastError = :error REMOVE leaseOwner, leaseExpiresAt",
                new() { [":pending"] = S(nameof(JobState.Pending)), [":due"] = TimeValue(retry), [":error"] = S(error) },
                cancellationToken)
            : TransitionAsync(
                job,
                "SET #state = :dead, #queue = :queue, #dueAt = :now, deadLetteredAt = :now, lastError = :error REMOVE leaseOwner, leaseExpiresAt",
                new() { [":dead"] = S(nameof(JobState.DeadLettered)), [":queue"] = S(DeadQueue), [":now"] = TimeValue(now), [":error"] = S(error) },
                cancellationToken);
    }

    public Task<bool> ReleaseAsync(Job job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);

        // Claiming counted an attempt; giving the lease back uncounts it. The job is due again at once.
        return TransitionAsync(
            job,
            "SET #state = :pending, #dueAt = scheduledAt, attempts = attempts - :one REMOVE leaseOwner, leaseExpiresAt",
            new() { [":pending"] = S(nameof(JobState.Pending)), [":one"] = N(1) },
            cancellationToken);
    }

    public async Task<Job?> GetAsync(string jobId, CancellationToken cancellationToken)
    {
        if (ItemKey(jobId) is not { } pk)
        {
            return null;
        }

        var item = await GetItemAsync(pk, cancellationToken).ConfigureAwait(false);
        return item is not null && item.GetString("id") == jobId && !item.IsExpired(time.GetUtcNow()) ? ToJob(item) : null;
    }

    public async Task<IReadOnlyList<Job>> ListDeadLetteredAsync(int limit, CancellationToken cancellationToken)
    {
        if (limit <= 0)
        {
            return [];
        }

        // Newest first from the index (keys only), then the items themselves.
        var keys = new List<string>();
        var request = new QueryRequest
        {
            TableName = table,
            IndexName = DueIndex,
            KeyConditionExpression = "#queue = :queue",
            ExpressionAttributeNames = new() { ["#queue"] = "queue" },
            ExpressionAttributeValues = new() { [":queue"] = S(DeadQueue) },
            ScanIndexForward = false,
            Limit = limit,
        };
        do
        {
            var response = await client.QueryAsync(request, cancellationToken).ConfigureAwait(false);
            keys.AddRange((response.Items ?? []).Select(i => i.RequireString(DynamoSchema.PartitionKey)));
            request.ExclusiveStartKey = response.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (request.ExclusiveStartKey is not null && keys.Count < limit);

        var items = (await client.BatchGetAsync(table, [.. keys.Take(limit).Select(k => Key(k))], cancellationToken).ConfigureAwait(false))
            .ToDictionary(i => i.RequireString(DynamoSchema.PartitionKey), StringComparer.Ordinal);
        var jobs = new List<Job>();
        foreach (var key in keys.Take(limit))
        {
            try
            {
                if (items.TryGetValue(key, out var item) && item.GetString("state") == nameof(JobState.DeadLettered))
                {
                    jobs.Add(ToJob(item));
                }
            }
            catch (CorruptRecordException)
            {
                // listed by what can be read; GetAsync on that id reports the damage
            }
        }

        return jobs;
    }

    public async Task<JobQueueStats> GetStatsAsync(CancellationToken cancellationToken)
    {
        // A pending shard holds pending jobs and leased ones; the index has keys only, so read the items' states.
        var shards = await Task.WhenAll(DynamoSchema.AllShards(PendingBucket).Select(q => CountStatesAsync(q, cancellationToken))).ConfigureAwait(false);
        var dead = await CountAsync(DeadQueue, cancellationToken).ConfigureAwait(false);
        return new JobQueueStats(shards.Sum(s => s.Pending), shards.Sum(s => s.Leased), dead);
    }

    private async Task<(long Pending, long Leased)> CountStatesAsync(string queue, CancellationToken cancellationToken)
    {
        var entries = await client.QueryAllAsync(QueueQuery(queue), cancellationToken).ConfigureAwait(false);
        if (entries.Count == 0)
        {
            return (0, 0);
        }

        var items = await client.BatchGetAsync(table, [.. entries.Select(e => Key(e.RequireString(DynamoSchema.PartitionKey)))], cancellationToken, consistent: false).ConfigureAwait(false);
        var leased = items.Count(i => i.GetString("state") == nameof(JobState.Leased) && i.GetString("queue") == queue);
        var pending = items.Count(i => i.GetString("state") == nameof(JobState.Pending) && i.GetString("queue") == queue);
        return (pending, leased);
    }

    private Task<long> CountAsync(string queue, CancellationToken cancellationToken) =>
        client.CountAsync(QueueQuery(queue), cancellationToken);

    /// <summary>Every index entry of one queue value.</summary>
    private QueryRequest QueueQuery(string queue) => new()
    {
        TableName = table,
        IndexName = DueIndex,
        KeyConditionExpression = "#queue = :queue",
        ExpressionAttributeNames = new() { ["#queue"] = "queue" },
        ExpressionAttributeValues = new() { [":queue"] = S(queue) },
    };

    private async Task<Dictionary<string, AttributeValue>?> GetItemAsync(string pk, CancellationToken cancellationToken)
    {
        var response = await client.GetItemAsync(
            new GetItemRequest { TableName = table, Key = Key(pk), ConsistentRead = true },
            cancellationToken).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item ? item : null;
    }

    /// <summary>
    /// Takes the lease if the job is claimable at <paramref name="now"/>: pending and due, or leased with an expired lease.
    /// With <paramref name="jobId"/>, only that job (not a later one that reused its item).
    /// </summary>
    private async Task<Job?> TryClaimAsync(string pk, string? jobId, string owner, TimeSpan lease, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, AttributeValue>
        {
            [":pending"] = S(nameof(JobState.Pending)),
            [":leased"] = S(nameof(JobState.Leased)),
            [":now"] = TimeValue(now),
            [":expires"] = TimeValue(now + lease),
            [":owner"] = S(owner),
            [":one"] = N(1),
        };
        var condition = "attribute_exists(pk) AND ((#state = :pending AND scheduledAt <= :now) OR (#state = :leased AND leaseExpiresAt <= :now))";
        if (jobId is not null)
        {
            condition += " AND id = :id";
            values[":id"] = S(jobId);
        }

        try
        {
            // Only state, owner, attempts and the lease expiry change, none of them in the index: no index write.
            var response = await client.UpdateItemAsync(
                new UpdateItemRequest
                {
                    TableName = table,
                    Key = Key(pk),
                    ConditionExpression = condition,
                    UpdateExpression = "SET #state = :leased, leaseOwner = :owner, leaseExpiresAt = :expires, attempts = attempts + :one",
                    ExpressionAttributeNames = new() { ["#state"] = "state" },
                    ExpressionAttributeValues = values,
                    ReturnValues = Amazon.DynamoDBv2.ReturnValue.ALL_NEW,
                },
                cancellationToken).ConfigureAwait(false);
            return ToJob(response.Attributes);
        }
        catch (ConditionalCheckFailedException)
        {
            return null; // another worker won it, or it is no longer due
        }
    }

    /// <summary>A change that only the lease holder may make: the lease is identified by owner and expiry, so a re-claim by the same owner is a different lease.</summary>
    private async Task<bool> TransitionAsync(Job job, string update, Dictionary<string, AttributeValue> values, CancellationToken cancellationToken)
    {
        if (LeaseCondition(job) is not { } condition || ItemKey(job.Id) is not { } pk)
        {
            return false;
        }

        foreach (var (name, value) in condition.Values)
        {
            values[name] = value;
        }

        try
        {
            await client.UpdateItemAsync(
                new UpdateItemRequest
                {
                    TableName = table,
                    Key = Key(pk),
                    ConditionExpression = condition.Expression,
                    UpdateExpression = update,
                    ExpressionAttributeNames = Names.Where(n => update.Contains(n.Key, StringComparison.Ordinal) || condition.Expression.Contains(n.Key, StringComparison.Ordinal)).ToDictionary(),
                    ExpressionAttributeValues = values,
                },
                cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    private async Task DeadLetterUnreadableAsync(string pk, CorruptRecordException exception, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var error = $"Unreadable job item: {exception.Message}";
        await client.UpdateItemAsync(
            new UpdateItemRequest
            {
                TableName = table,
                Key = Key(pk),
                UpdateExpression = "SET #state = :dead, #queue = :queue, #dueAt = :now, deadLetteredAt = :now, lastError = :error REMOVE leaseOwner, leaseExpiresAt",
                ExpressionAttributeNames = Names.Where(n => n.Key != "#ttl").ToDictionary(),
                ExpressionAttributeValues = new()
                {
                    [":dead"] = S(nameof(JobState.DeadLettered)),
                    [":queue"] = S(DeadQueue),
                    [":now"] = TimeValue(now),
                    [":error"] = S(error.Length <= 1000 ? error : error[..1000]),
                },
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static (string Expression, Dictionary<string, AttributeValue> Values)? LeaseCondition(Job job) =>
        job is { LeaseOwner: { } owner, LeaseExpiresAt: { } expires }
            ? ("#state = :leasedState AND leaseOwner = :leaseOwner AND leaseExpiresAt = :leaseExpires AND id = :jobId",
                new() { [":leasedState"] = S(nameof(JobState.Leased)), [":leaseOwner"] = S(owner), [":leaseExpires"] = TimeValue(expires), [":jobId"] = S(job.Id) })
            : null;

    internal static Job ToJob(Dictionary<string, AttributeValue> item) => Read(item, i => new Job(
        Id: i.RequireString("id"),
        Kind: i.RequireString("kind"),
        IdempotencyKey: i.RequireString("idempotencyKey"),
        Payload: i.RequireString("payload"),
        State: Enum.Parse<JobState>(i.RequireString("state")),
        CreatedAt: ParseTime(i.RequireString("createdAt")),
        DueAt: ParseTime(i.RequireString("scheduledAt")),
        Attempts: checked((int)(i.GetNumber("attempts") ?? 0)),
        LeaseOwner: i.GetString("leaseOwner"),
        LeaseExpiresAt: i.GetTime("leaseExpiresAt"),
        LastError: i.GetString("lastError"),
        TraceParent: i.GetString("traceParent")));
}
