namespace Orchestrator.Storage;

/// <summary>
/// A GitHub webhook delivery exactly as it was received. The payload is the raw body, byte for byte,
/// so that it can be re-verified or re-parsed later.
/// </summary>
public sealed record WebhookDelivery(
    string DeliveryId,
    string Event,
    string? Action,
    long? HookId,
    DateTimeOffset ReceivedAt,
    byte[] Payload);

public enum AcceptOutcome
{
    /// <summary>Stored for the first time (with its processing job when one was asked for).</summary>
    Accepted,

    /// <summary>A delivery with this id was already stored: nothing was written.</summary>
    Duplicate,
}

/// <summary>
/// The durable inbox of GitHub deliveries. <see cref="AcceptAsync"/> stores the delivery and enqueues its
/// processing job in one atomic write, so an acknowledged delivery is never lost and never processed twice.
/// </summary>
public interface IWebhookInbox
{
    Task<AcceptOutcome> AcceptAsync(WebhookDelivery delivery, CancellationToken cancellationToken) =>
        AcceptAsync(delivery, withJob: true, cancellationToken);

    /// <summary>
    /// Stores the delivery; with <paramref name="withJob"/> its processing job in the same write. A delivery nothing
    /// acts on is stored without one (kept for replay), which spares the queue a claim and a completion per delivery.
    /// </summary>
    Task<AcceptOutcome> AcceptAsync(WebhookDelivery delivery, bool withJob, CancellationToken cancellationToken);

    Task<WebhookDelivery?> GetAsync(string deliveryId, CancellationToken cancellationToken);
}

/// <summary>The processing job that <see cref="IWebhookInbox.AcceptAsync"/> enqueues with each new delivery.</summary>
public static class InboxJob
{
    public const string Kind = "github.webhook";

    /// <summary>The payload is the delivery id; the body stays in the inbox.</summary>
    public static JobRequest For(WebhookDelivery delivery) => new(Kind, "delivery:" + delivery.DeliveryId, delivery.DeliveryId, delivery.ReceivedAt);
}

public enum JobState
{
    Pending,
    Leased,
    Completed,
    DeadLettered,
}

/// <param name="Kind">Names the <see cref="Jobs.IJobHandler"/> that runs the job.</param>
/// <param name="IdempotencyKey">Enqueueing the same key twice yields one job.</param>
/// <param name="Payload">Handler-specific JSON; never a secret.</param>
/// <param name="DueAt">Not claimable before this time; null means now.</param>
public sealed record JobRequest(string Kind, string IdempotencyKey, string Payload, DateTimeOffset? DueAt = null);

public sealed record Job(
    string Id,
    string Kind,
    string IdempotencyKey,
    string Payload,
    JobState State,
    DateTimeOffset CreatedAt,
    DateTimeOffset DueAt,
    int Attempts,
    string? LeaseOwner,
    DateTimeOffset? LeaseExpiresAt,
    string? LastError);

/// <param name="Created">False when a job with the same idempotency key already existed.</param>
public sealed record EnqueueResult(string JobId, bool Created);

public sealed record JobQueueStats(long Pending, long Leased, long DeadLettered);

/// <summary>
/// The job queue: the only way background work happens. Claiming is a conditional write that takes a lease;
/// a lease that expires makes the job claimable again. The store is policy-free: the runner decides backoff
/// and when to dead-letter.
/// </summary>
public interface IJobQueue
{
    Task<EnqueueResult> EnqueueAsync(JobRequest request, CancellationToken cancellationToken);

    /// <summary>Leases up to <paramref name="max"/> due jobs (pending, or leased with an expired lease), oldest due first.</summary>
    Task<IReadOnlyList<Job>> ClaimAsync(string owner, TimeSpan lease, int max, CancellationToken cancellationToken);

    /// <summary>Leases one job by id if it is claimable now (used by event-driven workers such as a DynamoDB Streams trigger).</summary>
    Task<Job?> ClaimByIdAsync(string jobId, string owner, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Marks a leased job completed. False when the caller no longer holds the lease.</summary>
    Task<bool> CompleteAsync(Job job, CancellationToken cancellationToken);

    /// <summary>
    /// Records a failed attempt. With <paramref name="retryAt"/> the job becomes pending again at that time;
    /// without it the job is dead-lettered. False when the caller no longer holds the lease.
    /// </summary>
    Task<bool> FailAsync(Job job, string error, DateTimeOffset? retryAt, CancellationToken cancellationToken);

    /// <summary>Gives a lease back without counting an attempt (graceful shutdown). False when not held.</summary>
    Task<bool> ReleaseAsync(Job job, CancellationToken cancellationToken);

    Task<Job?> GetAsync(string jobId, CancellationToken cancellationToken);

    Task<IReadOnlyList<Job>> ListDeadLetteredAsync(int limit, CancellationToken cancellationToken);

    Task<JobQueueStats> GetStatsAsync(CancellationToken cancellationToken);
}

public enum EffectState
{
    /// <summary>The effect may or may not have happened: a worker recorded its intent and did not record a result.</summary>
    Started,

    /// <summary>The effect happened and its result (message id, run id, ...) is recorded.</summary>
    Completed,
}

public sealed record EffectRecord(string Key, EffectState State, string? Result, DateTimeOffset StartedAt, DateTimeOffset? CompletedAt);

/// <param name="IsNew">True when this call created the record; false when one existed (a retry).</param>
public sealed record EffectClaim(EffectRecord Record, bool IsNew);

/// <summary>The ledger of external effects; see <see cref="Jobs.Effects"/> for the rule that uses it.</summary>
public interface IEffectLedger
{
    /// <summary>Records the intent to perform the effect (state Started) unless a record exists; returns the stored record.</summary>
    Task<EffectClaim> BeginAsync(string key, CancellationToken cancellationToken);

    Task CompleteAsync(string key, string result, CancellationToken cancellationToken);

    Task<EffectRecord?> GetAsync(string key, CancellationToken cancellationToken);
}

public enum AuditOutcome
{
    Succeeded,
    Refused,
    Failed,
}

/// <param name="Actor">A Discord user id ("discord:123") or a GitHub login ("github:octocat") or "system".</param>
public sealed record AuditEntry(
    DateTimeOffset At,
    string Actor,
    string? ActorName,
    string Action,
    string? RunId,
    AuditOutcome Outcome,
    string? Detail);

/// <summary>Append-only record of who did what, including refusals.</summary>
public interface IAuditLog
{
    Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken);

    Task<IReadOnlyList<AuditEntry>> ListByRunAsync(string runId, CancellationToken cancellationToken);

    /// <summary>Entries with <paramref name="from"/> &lt;= At &lt; <paramref name="to"/>, oldest first.</summary>
    Task<IReadOnlyList<AuditEntry>> ListAsync(DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken);
}

/// <summary>Creates tables or applies migrations, and tells whether the store answers.</summary>
public interface IStoreAdmin
{
    Task InitializeAsync(CancellationToken cancellationToken);

    Task<bool> IsReachableAsync(CancellationToken cancellationToken);
}

/// <summary>Thrown by a store that cannot be reached or is full; endpoints answer 503.</summary>
public sealed class StoreUnavailableException(string message, Exception? innerException = null)
    : Exception(message, innerException);

/// <summary>Thrown when an optimistic update lost a race: the stored version is not the one the caller read.</summary>
public sealed class ConcurrencyConflictException(string message) : Exception(message);
