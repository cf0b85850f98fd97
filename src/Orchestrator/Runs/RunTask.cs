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

/// <summary>Why a task failed, for the scoreboard's "failed by reason".</summary>
public enum TaskFailure
{
    /// <summary>The executor could not start the agent (GitHub refused, the configuration was wrong).</summary>
    Dispatch,

    /// <summary>The agent reported a failure, or its workflow run ended without a pull request.</summary>
    Agent,

    /// <summary>The agent's pull request was closed without merging.</summary>
    PullRequestClosed,

    /// <summary>The issue was closed while no pull request was open for it.</summary>
    IssueClosed,

    /// <summary>Not dispatched: the planning model judged the issue unclear (not the agent's failure).</summary>
    Unclear,

    /// <summary>
    /// Never written to a task: the scoreboard's bucket for a task that failed before reasons were recorded (a run made
    /// before the scoreboard), so every failed task is counted somewhere and none is blamed on a guess.
    /// </summary>
    Unrecorded,
}

/// <summary>
/// One task per planned issue. <see cref="Checks"/> maps each check (check run, suite or workflow) reported
/// for <see cref="HeadSha"/> to its latest conclusion ("pending" until it completes). <see cref="RequiredChecks"/>
/// are the checks the base branch requires (rulesets, classic protection or the repository's override); when
/// none is required every reported check counts. <see cref="AgentNote"/> is the agent's own last word (its
/// tracking comment's outcome). <see cref="Executor"/> names the repository's executor the task goes to (its
/// default when null, as in runs made before routing) and <see cref="RoutedBy"/> says which rule or person chose it.
/// <see cref="PullRequestAt"/>, <see cref="FirstHeadChecks"/> and <see cref="Failure"/> feed the scoreboard: when the
/// first pull request was linked, how the required checks of its first head ended ("success" or "failure"), and why
/// the task failed.
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
    string? AgentNote = null,
    string? Executor = null,
    string? RoutedBy = null,
    DateTimeOffset? PullRequestAt = null,
    string? FirstHeadChecks = null,
    TaskFailure? Failure = null);
