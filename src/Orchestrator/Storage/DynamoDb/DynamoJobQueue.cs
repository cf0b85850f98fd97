using Amazon.DynamoDBv2.Model;
using Orchestrator.Runs;
using static Orchestrator.Storage.DynamoDb.DynamoItems;

namespace Orchestrator.Storage.DynamoDb;

/// <summary>
/// Jobs table: one item per job (pk "job#{id}") and one per idempotency key (pk "key#{key}" holding the job id),
/// written together so a key names at most one job. The sparse "due" index (queue, dueAt) holds every job that
/// is waiting for something: queue "pending" sorted by when it may run, "leased" sorted by when its lease
/// expires (so one query finds expired leases), "dead" sorted by when it was dead-lettered. A completed job
/// leaves the index (its queue attribute is removed) and expires after the completed-job retention.
/// Every state change is a conditional write, so two workers never both win a job.
/// </summary>
internal sealed class DynamoJobQueue(DynamoClient client, string table, StorageOptions options, TimeProvider time) : IJobQueue
{
    private const string DueIndex = "due";
    private const string PendingQueue = "pending";
    private const string LeasedQueue = "leased";
    private const string DeadQueue = "dead";

    /// <summary>Reserved words and index keys, always written through these names.</summary>
    private static readonly Dictionary<string, string> Names = new()
    {
        ["#state"] = "state",
        ["#queue"] = "queue",
        ["#dueAt"] = "dueAt",
        ["#ttl"] = DynamoSchema.TimeToLive,
    };

    public static string JobKey(string jobId) => "job#" + jobId;

    public static string IdempotencyKey(string key) => "key#" + key;

    public static string NewJobId(TimeProvider time) => RunId.New(time).Value; // time-sortable, like run ids

    /// <summary>The two puts that enqueue a job: the idempotency key first, then the job; both only if new.</summary>
    public static IEnumerable<TransactWriteItem> EnqueueWrites(string table, JobRequest request, string jobId, DateTimeOffset now)
    {
        var due = request.DueAt ?? now;
        yield return new TransactWriteItem
        {
            Put = new Put
            {
                TableName = table,
                Item = new Dictionary<string, AttributeValue>
                {
                    [DynamoSchema.PartitionKey] = S(IdempotencyKey(request.IdempotencyKey)),
                    ["jobId"] = S(jobId),
                },
                ConditionExpression = DynamoItems.AbsentOrExpired,
                ExpressionAttributeNames = new() { ["#ttl"] = DynamoSchema.TimeToLive },
                ExpressionAttributeValues = new() { [":nowEpoch"] = Epoch(now) },
                ReturnValuesOnConditionCheckFailure = Amazon.DynamoDBv2.ReturnValuesOnConditionCheckFailure.ALL_OLD,
            },
        };
        yield return new TransactWriteItem
        {
            Put = new Put
            {
                TableName = table,
                Item = new Dictionary<string, AttributeValue>
                {
                    [DynamoSchema.PartitionKey] = S(JobKey(jobId)),
                    ["id"] = S(jobId),
                    ["kind"] = S(request.Kind),
                    ["idempotencyKey"] = S(request.IdempotencyKey),
                    ["payload"] = S(request.Payload),
                    ["state"] = S(nameof(JobState.Pending)),
                    ["createdAt"] = TimeValue(now),
                    ["scheduledAt"] = TimeValue(due),
                    ["attempts"] = N(0),
                    ["queue"] = S(PendingQueue),
                    ["dueAt"] = TimeValue(due),
                },
                ConditionExpression = "attribute_not_exists(pk)",
            },
        };
    }

    public async Task<EnqueueResult> EnqueueAsync(JobRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var jobId = NewJobId(time);
        try
        {
            await client.TransactWriteItemsAsync(
                new TransactWriteItemsRequest { TransactItems = [.. EnqueueWrites(table, request, jobId, time.GetUtcNow())] },
                cancellationToken).ConfigureAwait(false);
            return new EnqueueResult(jobId, Created: true);
        }
        catch (TransactionCanceledException ex) when (ex.ConditionFailedAt(0))
        {
            var existing = ex.CancellationReasons[0].Item?.GetString("jobId")
                ?? await GetJobIdAsync(request.IdempotencyKey, cancellationToken).ConfigureAwait(false)
                ?? throw new StoreUnavailableException($"Idempotency key {request.IdempotencyKey} vanished while enqueueing.", ex);
            return new EnqueueResult(existing, Created: false);
        }
        catch (TransactionCanceledException ex)
        {
            throw Unavailable(ex);
        }
    }

    public async Task<IReadOnlyList<Job>> ClaimAsync(string owner, TimeSpan lease, int max, CancellationToken cancellationToken)
    {
        if (max <= 0)
        {
            return [];
        }

        var now = time.GetUtcNow();

        // The index is eventually consistent and other workers race for the same jobs, so read a few more
        // candidates than wanted; each claim is a conditional write on the item itself.
        var limit = Math.Min(max * 2 + 4, 100);
        var candidates = new List<(string DueAt, string Pk)>();
        foreach (var queue in new[] { PendingQueue, LeasedQueue })
        {
            var response = await client.QueryAsync(
                new QueryRequest
                {
                    TableName = table,
                    IndexName = DueIndex,
                    KeyConditionExpression = "#queue = :queue AND #dueAt <= :now",
                    ExpressionAttributeNames = new() { ["#queue"] = "queue", ["#dueAt"] = "dueAt" },
                    ExpressionAttributeValues = new() { [":queue"] = S(queue), [":now"] = TimeValue(now) },
                    ProjectionExpression = "pk, #dueAt",
                    Limit = limit,
                },
                cancellationToken).ConfigureAwait(false);
            candidates.AddRange((response.Items ?? []).Select(i => (i.RequireString("dueAt"), i.RequireString(DynamoSchema.PartitionKey))));
        }

        var claimed = new List<Job>();
        foreach (var (_, pk) in candidates.OrderBy(c => c.DueAt, StringComparer.Ordinal))
        {
            if (claimed.Count == max)
            {
                break;
            }

            try
            {
                if (await TryClaimAsync(pk, owner, lease, now, cancellationToken).ConfigureAwait(false) is { } job)
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

    public Task<Job?> ClaimByIdAsync(string jobId, string owner, TimeSpan lease, CancellationToken cancellationToken) =>
        TryClaimAsync(JobKey(jobId), owner, lease, time.GetUtcNow(), cancellationToken);

    public async Task<bool> CompleteAsync(Job job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (LeaseCondition(job) is not { } condition)
        {
            return false;
        }

        var now = time.GetUtcNow();
        var expires = Epoch(now + options.CompletedJobRetention);
        var values = new Dictionary<string, AttributeValue>(condition.Values)
        {
            [":completed"] = S(nameof(JobState.Completed)),
            [":now"] = TimeValue(now),
            [":expires"] = expires,
        };
        try
        {
            await client.TransactWriteItemsAsync(
                new TransactWriteItemsRequest
                {
                    TransactItems =
                    [
                        new TransactWriteItem
                        {
                            Update = new Update
                            {
                                TableName = table,
                                Key = Key(JobKey(job.Id)),
                                ConditionExpression = condition.Expression,
                                UpdateExpression = "SET #state = :completed, completedAt = :now, #ttl = :expires REMOVE #queue, #dueAt, leaseOwner, leaseExpiresAt",
                                ExpressionAttributeNames = Names,
                                ExpressionAttributeValues = values,
                            },
                        },

                        // The idempotency key lives as long as its job: both expire after the retention.
                        new TransactWriteItem
                        {
                            Put = new Put
                            {
                                TableName = table,
                                Item = new Dictionary<string, AttributeValue>
                                {
                                    [DynamoSchema.PartitionKey] = S(IdempotencyKey(job.IdempotencyKey)),
                                    ["jobId"] = S(job.Id),
                                    [DynamoSchema.TimeToLive] = expires,
                                },
                            },
                        },
                    ],
                },
                cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TransactionCanceledException ex) when (ex.ConditionFailedAt(0))
        {
            return false;
        }
        catch (TransactionCanceledException ex)
        {
            throw Unavailable(ex);
        }
    }

    public Task<bool> FailAsync(Job job, string error, DateTimeOffset? retryAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var now = time.GetUtcNow();
        return retryAt is { } retry
            ? TransitionAsync(
                job,
                "SET #state = :pending, #queue = :queue, #dueAt = :due, scheduledAt = :due, lastError = :error REMOVE leaseOwner, leaseExpiresAt",
                new() { [":pending"] = S(nameof(JobState.Pending)), [":queue"] = S(PendingQueue), [":due"] = TimeValue(retry), [":error"] = S(error) },
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
            "SET #state = :pending, #queue = :queue, #dueAt = scheduledAt, attempts = attempts - :one REMOVE leaseOwner, leaseExpiresAt",
            new() { [":pending"] = S(nameof(JobState.Pending)), [":queue"] = S(PendingQueue), [":one"] = N(1) },
            cancellationToken);
    }

    public async Task<Job?> GetAsync(string jobId, CancellationToken cancellationToken)
    {
        var response = await client.GetItemAsync(
            new GetItemRequest { TableName = table, Key = Key(JobKey(jobId)), ConsistentRead = true },
            cancellationToken).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item && !item.IsExpired(time.GetUtcNow()) ? ToJob(item) : null;
    }

    public async Task<IReadOnlyList<Job>> ListDeadLetteredAsync(int limit, CancellationToken cancellationToken)
    {
        if (limit <= 0)
        {
            return [];
        }

        // Newest first: the index projects whole items (DynamoSchema.IndexProjection).
        var jobs = new List<Job>();
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
            foreach (var item in response.Items ?? [])
            {
                try
                {
                    jobs.Add(ToJob(item));
                }
                catch (CorruptRecordException)
                {
                    // listed by what can be read; GetAsync on that id reports the damage
                }
            }

            request.ExclusiveStartKey = response.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (request.ExclusiveStartKey is not null && jobs.Count < limit);

        return jobs.Take(limit).ToList();
    }

    public async Task<JobQueueStats> GetStatsAsync(CancellationToken cancellationToken)
    {
        var pending = await CountAsync(PendingQueue, cancellationToken).ConfigureAwait(false);
        var leased = await CountAsync(LeasedQueue, cancellationToken).ConfigureAwait(false);
        var dead = await CountAsync(DeadQueue, cancellationToken).ConfigureAwait(false);
        return new JobQueueStats(pending, leased, dead);
    }

    private Task<long> CountAsync(string queue, CancellationToken cancellationToken) =>
        client.CountAsync(
            new QueryRequest
            {
                TableName = table,
                IndexName = DueIndex,
                KeyConditionExpression = "#queue = :queue",
                ExpressionAttributeNames = new() { ["#queue"] = "queue" },
                ExpressionAttributeValues = new() { [":queue"] = S(queue) },
            },
            cancellationToken);

    private async Task<string?> GetJobIdAsync(string idempotencyKey, CancellationToken cancellationToken)
    {
        var response = await client.GetItemAsync(
            new GetItemRequest { TableName = table, Key = Key(IdempotencyKey(idempotencyKey)), ConsistentRead = true },
            cancellationToken).ConfigureAwait(false);
        return response.Item?.GetString("jobId");
    }

    /// <summary>Takes the lease if the job is claimable at <paramref name="now"/>: pending and due, or leased with an expired lease.</summary>
    private async Task<Job?> TryClaimAsync(string pk, string owner, TimeSpan lease, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var expires = TimeValue(now + lease);
        try
        {
            var response = await client.UpdateItemAsync(
                new UpdateItemRequest
                {
                    TableName = table,
                    Key = Key(pk),
                    ConditionExpression = "attribute_exists(pk) AND ((#state = :pending AND scheduledAt <= :now) OR (#state = :leased AND leaseExpiresAt <= :now))",
                    UpdateExpression = "SET #state = :leased, #queue = :queue, #dueAt = :expires, leaseOwner = :owner, leaseExpiresAt = :expires, attempts = attempts + :one",
                    ExpressionAttributeNames = Names.Where(n => n.Key != "#ttl").ToDictionary(),
                    ExpressionAttributeValues = new()
                    {
                        [":pending"] = S(nameof(JobState.Pending)),
                        [":leased"] = S(nameof(JobState.Leased)),
                        [":now"] = TimeValue(now),
                        [":queue"] = S(LeasedQueue),
                        [":expires"] = expires,
                        [":owner"] = S(owner),
                        [":one"] = N(1),
                    },
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
        if (LeaseCondition(job) is not { } condition)
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
                    Key = Key(JobKey(job.Id)),
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
            ? ("#state = :leasedState AND leaseOwner = :leaseOwner AND leaseExpiresAt = :leaseExpires",
                new() { [":leasedState"] = S(nameof(JobState.Leased)), [":leaseOwner"] = S(owner), [":leaseExpires"] = TimeValue(expires) })
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
        LastError: i.GetString("lastError")));

    private static StoreUnavailableException Unavailable(TransactionCanceledException ex) =>
        new($"DynamoDB cancelled the transaction: {string.Join(", ", ex.CancellationReasons?.Select(r => r.Code) ?? [])}.", ex);
}
