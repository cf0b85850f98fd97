using Microsoft.Extensions.Options;
using Orchestrator.GitHub;
using Orchestrator.Runs;
using Orchestrator.Storage;
using Orchestrator.Workflow.Executors;

namespace Orchestrator.Workflow;

/// <summary>A pull request's task, and which rule found it.</summary>
public sealed record TaskLink(Run Run, int Issue, string By);

/// <summary>
/// Finds the task a pull request belongs to without relying on its wording. In order: the task already linked to it;
/// the correlation id in its body or branch; the issue's timeline (a cross-referenced event from the pull request);
/// closing keywords ("Fixes #12"); the agent's branch pattern (<c>claude/issue-12-…</c>, <c>openhands-fix-issue-12</c>,
/// <c>copilot/…</c> when one Copilot task waits for its pull request); a number in the branch name. A pull request
/// already linked to a task is never linked to a second one, and a task keeps its pull request unless the
/// correlation id names the new one.
/// </summary>
public sealed class PullRequestLinker(IRunStore runs, IGitHubApi github, ExecutorSet executors, IOptionsMonitor<WorkflowOptions> options)
{
    public async Task<TaskLink?> FindAsync(string repository, int number, string? title, string? body, string? branch, CancellationToken cancellationToken)
    {
        if (await runs.FindByPullRequestAsync(repository, number, cancellationToken) is { } linked
            && linked.Tasks.FirstOrDefault(t => t.PullRequestNumber == number) is { } owner)
        {
            return new TaskLink(linked, owner.IssueNumber, owner.LinkedBy ?? "link");
        }

        foreach (var correlation in new[] { Tracking.FindCorrelationId(body), Tracking.FindCorrelationId(branch) })
        {
            if (correlation is not null
                && await runs.FindByCorrelationIdAsync(correlation, cancellationToken) is { } byCorrelation
                && Run.IsActive(byCorrelation.State)
                && byCorrelation.Tasks.FirstOrDefault(t => t.CorrelationId == correlation) is { } task)
            {
                return new TaskLink(byCorrelation, task.IssueNumber, "correlation id");
            }
        }

        var waiting = (await runs.ListActiveAsync(repository, cancellationToken))
            .SelectMany(r => r.Tasks.Where(t => t.PullRequestNumber is null && t.State == TaskState.Dispatched).Select(t => (Run: r, Task: t)))
            .ToList();
        foreach (var (run, task) in waiting)
        {
            if ((await github.ListLinkedPullRequestsAsync(repository, task.IssueNumber, cancellationToken)).Contains(number))
            {
                return new TaskLink(run, task.IssueNumber, "issue timeline");
            }
        }

        if (await ByIssueAsync(repository, number, Tracking.ClosingReferences(repository, title, body), cancellationToken) is { } byKeyword)
        {
            return byKeyword with { By = "closing keyword" };
        }

        if (branch is not null && options.CurrentValue.Find(repository) is { } configured)
        {
            // The branch must be one the task's own executor makes (a Claude branch does not claim an OpenHands task).
            var agents = waiting.Where(w => executors.MakesBranch(configured.ExecutorOf(w.Task), branch, w.Task.IssueNumber)).ToList();
            if (agents.Count == 1)
            {
                return new TaskLink(agents[0].Run, agents[0].Task.IssueNumber, "agent branch");
            }
        }

        return await ByIssueAsync(repository, number, Tracking.BranchReferences(branch), cancellationToken) is { } byBranch
            ? byBranch with { By = "branch name" }
            : null;
    }

    private async Task<TaskLink?> ByIssueAsync(string repository, int number, IReadOnlyList<int> issues, CancellationToken cancellationToken)
    {
        foreach (var issue in issues)
        {
            var run = await runs.FindByIssueAsync(repository, issue, cancellationToken);
            var task = run?.Task(issue);
            if (run is not null && Run.IsActive(run.State) && task is not null && (task.PullRequestNumber is null || task.PullRequestNumber == number))
            {
                return new TaskLink(run, issue, string.Empty);
            }
        }

        return null;
    }
}
