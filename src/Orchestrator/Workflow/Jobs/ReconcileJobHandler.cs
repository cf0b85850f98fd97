using System.Globalization;
using Microsoft.Extensions.Options;
using Orchestrator.GitHub;
using Orchestrator.Jobs;
using Orchestrator.Runs;
using Orchestrator.Storage;
using Orchestrator.Telemetry;

namespace Orchestrator.Workflow.Jobs;

/// <summary>
/// One reconciliation round: applies to each active task what its missed webhooks would have said. A task with a pull
/// request costs three conditional requests (the pull request, its head's check runs, its head's statuses); a dispatched
/// task without one costs at most three (the issue's timeline, then the pull request it names, or the agent's branches,
/// or the agent workflow's run). Reads that changed nothing are answered 304 and cost no rate limit.
/// <c>orchestrator.reconcile.requests</c> counts them. A pull request linked for the first time also reads its base
/// branch's required checks once.
/// </summary>
public sealed partial class ReconcileJobHandler(
    IGitHubApi github,
    PullRequestTracker tracker,
    RunUpdates updates,
    IRunStore runs,
    IOptionsMonitor<WorkflowOptions> options,
    OrchestratorMetrics metrics,
    TimeProvider time,
    ILogger<ReconcileJobHandler> logger) : IJobHandler
{
    public string Kind => WorkflowJobs.Reconcile;

    public async Task HandleAsync(Job job, CancellationToken cancellationToken)
    {
        var round = WorkflowJobs.Read(job, WorkflowJsonContext.Default.ReconcileJob);
        var key = "reconcile:" + round.Interval.ToString("O", CultureInfo.InvariantCulture);
        var requests = 0;
        var tasks = 0;
        foreach (var run in await runs.ListActiveAsync(null, cancellationToken))
        {
            if (run.State != RunState.InProgress || options.CurrentValue.Find(run.Repository) is not { } repository)
            {
                continue;
            }

            foreach (var task in run.Tasks.Where(t => t.State is not (TaskState.Queued or TaskState.Merged or TaskState.Failed)))
            {
                tasks++;
                var current = await runs.GetAsync(run.Id, cancellationToken) ?? run;
                requests += task.PullRequestNumber is { } number
                    ? await FollowPullRequestAsync(current, task, number, key, cancellationToken)
                    : await FindPullRequestAsync(current, task, repository, key, cancellationToken);
            }
        }

        var interval = round.Interval.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        Log.Reconciled(logger, interval, tasks, requests);
    }

    private async Task<int> FollowPullRequestAsync(Run run, RunTask task, int number, string key, CancellationToken cancellationToken)
    {
        var pull = await github.GetPullRequestAsync(run.Repository, number, cancellationToken);
        metrics.ReconcileRequests("pull_request", 1);
        if (pull is null)
        {
            return 1;
        }

        var after = await tracker.ApplyAsync(new TaskLink(run, task.IssueNumber, task.LinkedBy ?? "link"), View(pull), $"{key}:{task.IssueNumber}:pr", foundByReconciliation: true, cancellationToken) ?? run;
        if (pull.State != "open" || pull.HeadSha is not { } head)
        {
            return 1;
        }

        var checks = await github.ListChecksAsync(run.Repository, head, cancellationToken);
        metrics.ReconcileRequests("checks", 2);
        var result = await updates.ChangeTaskAsync(
            after.Id,
            task.IssueNumber,
            (_, t) => checks.Aggregate(t, (acc, check) => Tracking.CheckReported(acc, head, check.Name, check.Conclusion)),
            cancellationToken);
        if (result is { } changed)
        {
            var was = changed.Before.Task(task.IssueNumber)!;
            var now = changed.After.Task(task.IssueNumber)!;
            var (notice, approveCi) = now.State switch
            {
                TaskState.ChecksFailing when was.State != TaskState.ChecksFailing =>
                    ($"❌ Checks failing on [PR #{now.PullRequestNumber}](<{now.PullRequestUrl}>) (#{now.IssueNumber}){PullRequestTracker.ReconciledSuffix}.", (int?)null),
                TaskState.NeedsApproval when was.State != TaskState.NeedsApproval =>
                    (RunViews.NeedsApprovalNotice(now, now.Checks!.First(c => Tracking.Classify(c.Value) == CheckOutcome.NeedsApproval).Key), now.IssueNumber),
                _ => (null, null),
            };
            await updates.NotifyAsync(changed.After, $"{key}:{task.IssueNumber}:checks", notice, cancellationToken, approveCi);
        }

        return 3;
    }

    private async Task<int> FindPullRequestAsync(Run run, RunTask task, RepositoryOptions repository, string key, CancellationToken cancellationToken)
    {
        var linked = await github.ListLinkedPullRequestsAsync(run.Repository, task.IssueNumber, cancellationToken);
        metrics.ReconcileRequests("timeline", 1);
        foreach (var number in linked.AsEnumerable().Reverse())
        {
            if (await runs.FindByPullRequestAsync(run.Repository, number, cancellationToken) is not null)
            {
                continue; // another task's pull request: never two tasks for one
            }

            var pull = await github.GetPullRequestAsync(run.Repository, number, cancellationToken);
            metrics.ReconcileRequests("pull_request", 1);
            if (pull is { State: "open" } || pull is { Merged: true })
            {
                await tracker.ApplyAsync(new TaskLink(run, task.IssueNumber, "issue timeline"), View(pull), $"{key}:{task.IssueNumber}:link", foundByReconciliation: true, cancellationToken);
                return 2;
            }

            return 2;
        }

        switch (repository.ExecutorOf(task))
        {
            case { Kind: ExecutorKind.Claude, OpenPullRequest: true }:
                var branches = await github.ListBranchesAsync(run.Repository, $"claude/issue-{task.IssueNumber.ToString(CultureInfo.InvariantCulture)}-", cancellationToken);
                metrics.ReconcileRequests("branches", 1);
                if (branches.Count > 0)
                {
                    await updates.EnqueueTaskAsync(WorkflowJobs.OpenPullRequest, $"open-pr:{run.Id}:{task.IssueNumber}:{task.Attempts}", run, task.IssueNumber, branches.Max(StringComparer.Ordinal), cancellationToken);
                }

                return 2;

            case { Kind: ExecutorKind.Workflow } when long.TryParse(task.DispatchId, NumberStyles.Integer, CultureInfo.InvariantCulture, out var runId):
                var workflowRun = await github.GetWorkflowRunAsync(run.Repository, runId, cancellationToken);
                metrics.ReconcileRequests("workflow_run", 1);
                if (workflowRun is { Status: "completed", Conclusion: { } conclusion } && Tracking.IsFailing(conclusion))
                {
                    var result = await updates.ChangeTaskAsync(
                        run.Id,
                        task.IssueNumber,
                        (_, t) => t is { PullRequestNumber: null, State: TaskState.Dispatched }
                            ? t with { State = TaskState.Failed, Failure = TaskFailure.Agent, LastError = $"The agent workflow run ended {conclusion} without a pull request." }
                            : t,
                        cancellationToken);
                    if (result is { } changed)
                    {
                        await updates.NotifyAsync(changed.After, $"{key}:{task.IssueNumber}:run", $"❌ The agent workflow for #{task.IssueNumber} ended {conclusion} without a pull request ([run](<{workflowRun.HtmlUrl}>)){PullRequestTracker.ReconciledSuffix}. Use `/retry issue:{task.IssueNumber}` to try again.", cancellationToken);
                    }
                }

                return 2;

            default:
                return 1;
        }
    }

    private PullRequestView View(GitHubPullRequest pull) => PullRequestView.From(pull, time.GetUtcNow());

    private static partial class Log
    {
        [LoggerMessage(EventId = 473, Level = LogLevel.Information, Message = "Reconciled {Tasks} active task(s) for the interval from {Interval} with {Requests} GitHub request(s)")]
        public static partial void Reconciled(ILogger logger, string interval, int tasks, int requests);
    }
}
