namespace Orchestrator.Telemetry;

/// <summary>
/// One executor's scoreboard over the metrics' window, as plain values (the scoreboard itself belongs to the product):
/// task counts by outcome (dispatched, pull_request, first_head_judged, first_head_green, merged, failed, shipped) and
/// the median seconds from dispatch to the first pull request and to the merge (null when there is none).
/// </summary>
public sealed record AgentFigures(string Executor, IReadOnlyDictionary<string, long> Tasks, double? MedianSecondsToPullRequest, double? MedianSecondsToMerge);
