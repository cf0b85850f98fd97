namespace Orchestrator.Runs;

public enum TaskState
{
    Queued,
    Dispatched,

    /// <summary>The agent's pull request is still a draft: the agent is at work on it.</summary>
    AgentWorking,
    PrOpen,

    /// <summary>A workflow run of the head waits in <c>action_required</c> until someone approves it.</summary>
    NeedsApproval,
    ChecksPassing,
    ChecksFailing,
    Merged,
    Failed,
}

/// <summary>
/// One task per planned issue. <see cref="Checks"/> maps each check (check run, suite or workflow) reported
/// for <see cref="HeadSha"/> to its latest conclusion ("pending" until it completes). <see cref="RequiredChecks"/>
/// are the checks the base branch requires (rulesets, classic protection or the repository's override); when
/// none is required every reported check counts. <see cref="AgentNote"/> is the agent's own last word (its
/// tracking comment's outcome).
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
    IReadOnlyDictionary<string, string>? Checks = null,
    bool Draft = false,
    string? BaseBranch = null,
    IReadOnlyList<string>? RequiredChecks = null,
    string? LinkedBy = null,
    string? AgentNote = null);
