namespace Orchestrator.Runs;

public enum TaskState
{
    Queued,
    Dispatched,
    PrOpen,
    ChecksPassing,
    ChecksFailing,
    Merged,
    Failed,
}

/// <summary>
/// One task per planned issue. <see cref="Checks"/> maps each check (check run, suite or workflow) reported
/// for <see cref="HeadSha"/> to its latest conclusion ("pending" until it completes).
/// </summary>
public sealed record RunTask(
    int IssueNumber,
    TaskState State,
    string CorrelationId,
    int? PullRequestNumber = null,
    string? PullRequestUrl = null,
    string? HeadSha = null,
    string? HeadBranch = null,
    string? ChecksConclusion = null,
    string? DispatchId = null,
    int Attempts = 0,
    string? LastError = null,
    DateTimeOffset? DispatchedAt = null,
    DateTimeOffset? MergedAt = null,
    bool FlaggedStale = false,
    IReadOnlyDictionary<string, string>? Checks = null);
