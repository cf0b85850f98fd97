namespace Orchestrator.Storage;

public enum JobState
{
    Pending,
    Leased,
    Completed,
    DeadLettered,
}

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
