namespace Orchestrator.Runs;

public enum RunState
{
    Pending,
    Approved,
    InProgress,
    Shipping,
    Completed,
    Failed,
    Rejected,
    Cancelled,
}

/// <summary>
/// A run of the daily loop. Stored as a document; <see cref="Version"/> makes every update optimistic:
/// a store writes only if the stored version equals the one read, then increments it.
/// </summary>
public sealed record Run(
    RunId Id,
    string Repository,
    RunState State,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<PlannedIssue> Plan,
    DiscordLocation? Discord,
    IReadOnlyList<RunTask> Tasks,
    long Version,
    string? RequestedBy = null,
    string? ApprovedBy = null,
    string? Reason = null,
    ShipInfo? Ship = null,
    bool OnHold = false,
    IReadOnlyList<SkippedIssue>? Skipped = null,
    PlanAdvice? Advice = null)
{
    public static bool IsActive(RunState state) =>
        state is RunState.Pending or RunState.Approved or RunState.InProgress or RunState.Shipping;

    /// <summary>The task of an issue of the plan, or null when the issue is not part of this run.</summary>
    public RunTask? Task(int issueNumber) => Tasks.FirstOrDefault(t => t.IssueNumber == issueNumber);

    /// <summary>This run with the task of <paramref name="task"/>'s issue replaced by it.</summary>
    public Run WithTask(RunTask task) =>
        this with { Tasks = [.. Tasks.Select(t => t.IssueNumber == task.IssueNumber ? task : t)] };
}
