using System.Text.Json.Serialization;

namespace Orchestrator.Operations;

// What the CLI's --json and the dashboard show: plain records with stable, snake_case state names, so scripts can
// rely on them while the stored documents evolve.

public sealed record RunSummaryView(
    string Id,
    string Repository,
    string State,
    bool OnHold,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    double DurationSeconds,
    int Tasks,
    int Merged,
    string? RequestedBy,
    string? ApprovedBy,
    string? Reason,
    string WaitingFor);

public sealed record TaskView(
    int Issue,
    string? Title,
    string? IssueUrl,
    string State,
    string CorrelationId,
    int? PullRequest,
    string? PullRequestUrl,
    string? HeadSha,
    string? ChecksConclusion,
    IReadOnlyDictionary<string, string> Checks,
    int Attempts,
    string? LastError,
    DateTimeOffset? DispatchedAt,
    DateTimeOffset? MergedAt,
    double? DurationSeconds,
    string WaitingFor);

public sealed record ShipView(string CorrelationId, string RequestedBy, DateTimeOffset RequestedAt, string? Conclusion, string? WorkflowRunUrl, DateTimeOffset? CompletedAt, string? ForcedReason);

public sealed record TimelineEntry(DateTimeOffset At, string Actor, string Action, string Outcome, string? Detail);

public sealed record RunDetailView(RunSummaryView Run, IReadOnlyList<TaskView> Tasks, ShipView? Ship, IReadOnlyList<TimelineEntry> Timeline);

public sealed record JobView(
    string Id,
    string Kind,
    string State,
    string IdempotencyKey,
    DateTimeOffset CreatedAt,
    DateTimeOffset DueAt,
    int Attempts,
    string? LeaseOwner,
    DateTimeOffset? LeaseExpiresAt,
    string? LastError,
    double AgeSeconds,
    string? Payload);

public sealed record DeliveryView(
    string DeliveryId,
    string Event,
    string? Action,
    long? HookId,
    DateTimeOffset ReceivedAt,
    long PayloadBytes,
    int Duplicates,
    DateTimeOffset? LastDuplicateAt,
    string Status,
    JobView? Job);

public sealed record DeliveryDetailView(DeliveryView Delivery, string? Payload);

public sealed record AuditView(DateTimeOffset At, string Actor, string? ActorName, string Action, string? RunId, string Outcome, string? Detail);

public sealed record QueueView(long Pending, long Leased, long DeadLettered, DateTimeOffset? OldestDueAt, double OldestDueAgeSeconds);

/// <summary>Whether a job or dead letter was put back by the operator.</summary>
public sealed record ActionResult(string Action, string Id, string? JobId, string Message);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(IReadOnlyList<RunSummaryView>))]
[JsonSerializable(typeof(RunDetailView))]
[JsonSerializable(typeof(IReadOnlyList<JobView>))]
[JsonSerializable(typeof(JobView))]
[JsonSerializable(typeof(IReadOnlyList<DeliveryView>))]
[JsonSerializable(typeof(DeliveryDetailView))]
[JsonSerializable(typeof(IReadOnlyList<AuditView>))]
[JsonSerializable(typeof(QueueView))]
[JsonSerializable(typeof(ActionResult))]
[JsonSerializable(typeof(RecoveryReport))]
internal sealed partial class OperatorJsonContext : JsonSerializerContext;
