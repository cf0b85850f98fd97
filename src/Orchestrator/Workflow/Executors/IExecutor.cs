using Orchestrator.GitHub;

namespace Orchestrator.Workflow.Executors;

/// <summary>
/// One way of handing a task to whoever does it, knowing both halves: how to start the agent (through the effect
/// ledger, so a retry never starts it twice) and how to recognise what it produces (its branch names, its own
/// login among an issue's assignees). <see cref="Prerequisites"/> is what a health check (doctor) can report.
/// </summary>
public interface IExecutor
{
    ExecutorKind Kind { get; }

    /// <summary>Starts the agent on one task and returns what identifies the start (a workflow run id, "done", …).</summary>
    Task<string> StartAsync(ExecutorStart start, CancellationToken cancellationToken);

    /// <summary>True when <paramref name="branch"/> is one this agent makes for <paramref name="issue"/> (e.g. "claude/issue-12-20261125-0900").</summary>
    bool IsAgentBranch(string branch, int issue);

    /// <summary>Assignee logins that are this agent rather than a person (a plan keeps issues assigned to them).</summary>
    IReadOnlyList<string> AgentLogins(ExecutorOptions options);

    /// <summary>What the executor (<paramref name="executor"/>, one of the repository's) needs, as far as the configuration shows it; what only GitHub shows is listed as external.</summary>
    IReadOnlyList<ExecutorPrerequisite> Prerequisites(RepositoryOptions repository, ExecutorOptions executor, GitHubOptions github);
}

/// <summary>One task to start: the effect key is unique per task attempt.</summary>
public sealed record ExecutorStart(Runs.Run Run, Runs.RunTask Task, RepositoryOptions Repository, ExecutorOptions Options, string EffectKey)
{
    /// <summary>The issue's web address (from the plan; GitHub's form when the plan lacks it).</summary>
    public string IssueUrl => Run.Plan.FirstOrDefault(i => i.Number == Task.IssueNumber)?.Url ?? $"https://github.com/{Run.Repository}/issues/{Task.IssueNumber}";

    /// <summary>The text every agent gets after its instructions: the issue and the correlation id to quote back.</summary>
    public string Reference =>
        $"Issue: {IssueUrl}\nCorrelation id: {Task.CorrelationId} (please keep it in the pull request description).";
}

public enum PrerequisiteState
{
    /// <summary>The configuration has it.</summary>
    Met,

    /// <summary>The configuration lacks it: the executor cannot work.</summary>
    Missing,

    /// <summary>Only GitHub (or the agent's own setup) can show it; a check has to look there.</summary>
    External,
}

/// <summary>A prerequisite of an executor and how to meet it.</summary>
public sealed record ExecutorPrerequisite(string Description, PrerequisiteState State, string? Fix = null);
