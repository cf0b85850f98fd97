namespace Orchestrator.Storage;

public enum JobState
{
    Pending,
    Leased,
    Completed,
    DeadLettered,
}

/// <param name="TraceParent">The W3C trace context (<c>traceparent</c>) of the span current when the job was enqueued,
/// if any: the job's own span continues that trace. A deduplicated enqueue keeps the first job's.</param>
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
    string? LastError,
    string? TraceParent = null);
