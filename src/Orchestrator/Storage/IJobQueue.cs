namespace Orchestrator.Storage;

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
