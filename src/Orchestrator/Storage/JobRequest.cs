namespace Orchestrator.Storage;

/// <param name="Kind">Names the <see cref="Jobs.IJobHandler"/> that runs the job.</param>
/// <param name="IdempotencyKey">Enqueueing the same key twice yields one job.</param>
/// <param name="Payload">Handler-specific JSON; never a secret.</param>
/// <param name="DueAt">Not claimable before this time; null means now.</param>
public sealed record JobRequest(string Kind, string IdempotencyKey, string Payload, DateTimeOffset? DueAt = null);
