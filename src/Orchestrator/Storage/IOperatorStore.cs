namespace Orchestrator.Storage;

/// <summary>
/// A stored delivery without its payload, as the operator's listings show it. <paramref name="Duplicates"/> counts the
/// times its id was received again after it was stored (GitHub redelivering it, answered as a duplicate), the last of
/// them at <paramref name="LastDuplicateAt"/>.
/// </summary>
public sealed record DeliverySummary(
    string DeliveryId,
    string Event,
    string? Action,
    long? HookId,
    DateTimeOffset ReceivedAt,
    long PayloadBytes,
    int Duplicates = 0,
    DateTimeOffset? LastDuplicateAt = null);

/// <summary>
/// What the operator's CLI and dashboard read across the store beyond the workflow's own contracts, and the one
/// repair they make (a dead letter back to the queue). Implemented by every store over the same data.
/// </summary>
public interface IOperatorStore
{
    /// <summary>Deliveries received at or after <paramref name="since"/>, newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<DeliverySummary>> ListDeliveriesAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken);

    /// <summary>One stored delivery without its payload; null when never received or past the inbox retention.</summary>
    Task<DeliverySummary?> GetDeliveryAsync(string deliveryId, CancellationToken cancellationToken);

    /// <summary>
    /// Jobs in one of the waiting states: <see cref="JobState.Pending"/> oldest due first, <see cref="JobState.Leased"/>
    /// by lease expiry, <see cref="JobState.DeadLettered"/> newest first. Completed jobs are not listed.
    /// </summary>
    Task<IReadOnlyList<Job>> ListJobsAsync(JobState state, int limit, CancellationToken cancellationToken);

    /// <summary>The job enqueued under an idempotency key (e.g. a delivery's processing job), or null.</summary>
    Task<Job?> FindJobByKeyAsync(string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>
    /// Puts a dead-lettered job back in the queue, due now, with its attempts reset (its last error stays for the
    /// record). False when the job does not exist or is not dead-lettered, so a second retry changes nothing.
    /// </summary>
    Task<bool> RetryDeadLetterAsync(string jobId, CancellationToken cancellationToken);
}
