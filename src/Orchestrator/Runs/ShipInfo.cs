namespace Orchestrator.Runs;

/// <summary>The deploy of a shipping run.</summary>
public sealed record ShipInfo(
    string CorrelationId,
    string RequestedBy,
    DateTimeOffset RequestedAt,
    string? ForcedReason = null,
    long? WorkflowRunId = null,
    string? WorkflowRunUrl = null,
    string? Conclusion = null,
    DateTimeOffset? CompletedAt = null,
    int? HealthStatus = null,
    double? HealthLatencyMs = null);
