using Octokit.Webhooks.Events;
using Orchestrator.GitHub;
using Orchestrator.Runs;
using Orchestrator.Storage;

namespace Orchestrator.Workflow.Events;

/// <summary>check_suite, check_run and workflow_run: check results for task heads, agent workflow runs, and the deploy.</summary>
public sealed class CheckEventHandler(RunUpdates updates, IRunStore runs, TimeProvider time) : IGitHubEventHandler
{
    public static IReadOnlyList<GitHubEventRoute> Routes { get; } =
    [
        new("check_suite", null, "Record a check suite's result for a task's head commit.", typeof(CheckEventHandler)),
        new("check_run", null, "Record a check run's result for a task's head commit.", typeof(CheckEventHandler)),
        new("workflow_run", null, "Follow agent and deploy workflow runs by correlation id, and checks by head.", typeof(CheckEventHandler)),
        new("status", null, "Record a commit status for a task's head commit.", typeof(CheckEventHandler)),
    ];

    public async Task HandleAsync(GitHubEvent gitHubEvent, CancellationToken cancellationToken)
    {
        var repo = gitHubEvent.Payload.Repository?.FullName;
        if (repo is null)
        {
            return;
        }

        var report = gitHubEvent.Payload switch
        {
            CheckSuiteEvent { CheckSuite: { } s } => new CheckReport(s.HeadSha, "suite:" + (s.App?.Slug ?? s.App?.Name ?? s.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), Completed(s.Status?.StringValue) ? s.Conclusion?.StringValue : null),
            CheckRunEvent { CheckRun: { } r } => new CheckReport(r.HeadSha, "check:" + r.Name, Completed(r.Status?.StringValue) ? r.Conclusion?.StringValue : null),
            WorkflowRunEvent { WorkflowRun: { } w } => new CheckReport(w.HeadSha, "workflow:" + w.Name, Completed(w.Status?.StringValue) ? w.Conclusion?.StringValue : null),
            StatusEvent s => new CheckReport(s.Sha, "status:" + s.Context, s.State?.StringValue is "pending" or null ? null : s.State.StringValue),
            _ => null,
        };
        if (report is null)
        {
            return;
        }

        if (gitHubEvent.Payload is WorkflowRunEvent { WorkflowRun: { } workflowRun }
            && Tracking.FindCorrelationId(workflowRun.DisplayTitle + " " + workflowRun.Name) is { } correlation
            && await runs.FindByCorrelationIdAsync(correlation, cancellationToken) is { } correlated)
        {
            await FollowCorrelatedRunAsync(gitHubEvent, correlated, correlation, workflowRun, report.Conclusion, cancellationToken);
            return;
        }

        foreach (var run in await runs.ListActiveAsync(repo, cancellationToken))
        {
            foreach (var task in run.Tasks.Where(t => string.Equals(t.HeadSha, report.HeadSha, StringComparison.OrdinalIgnoreCase)))
            {
                var result = await updates.ChangeTaskAsync(run.Id, task.IssueNumber, (_, t) => Tracking.CheckReported(t, report.HeadSha, report.Name, report.Conclusion), cancellationToken);
                if (result is not { } changed)
                {
                    continue;
                }

                var now = changed.After.Task(task.IssueNumber)!;
                var was = changed.Before.Task(task.IssueNumber)!;
                string? notice = null;
                int? approveCi = null;
                if (now.State == Runs.TaskState.ChecksFailing && was.State != Runs.TaskState.ChecksFailing)
                {
                    notice = $"❌ Checks failing on [PR #{now.PullRequestNumber}](<{now.PullRequestUrl}>) (#{now.IssueNumber}): `{report.Name}` {report.Conclusion}.";
                }
                else if (now.State == Runs.TaskState.NeedsApproval && was.State != Runs.TaskState.NeedsApproval)
                {
                    notice = RunViews.NeedsApprovalNotice(now, report.Name);
                    approveCi = now.IssueNumber;
                }

                if (RunUpdates.BecameShippable(changed.Before, changed.After))
                {
                    notice = (notice is null ? string.Empty : notice + "\n") + "🏁 Every task is merged with green checks: ready to `/ship`.";
                }

                await updates.NotifyAsync(changed.After, gitHubEvent.Delivery.DeliveryId, notice, cancellationToken, approveCi);
            }
        }
    }

    private async Task FollowCorrelatedRunAsync(GitHubEvent gitHubEvent, Run run, string correlation, Octokit.Webhooks.Models.WorkflowRun workflowRun, string? conclusion, CancellationToken cancellationToken)
    {
        if (run.Ship?.CorrelationId == correlation)
        {
            var shipped = await runs.UpdateWithRetryAsync(
                run.Id,
                current => current.State != RunState.Shipping || current.Ship is null || current.Ship.Conclusion is not null
                    ? null
                    : current with { Ship = current.Ship with { WorkflowRunId = workflowRun.Id, WorkflowRunUrl = workflowRun.HtmlUrl, Conclusion = conclusion, CompletedAt = conclusion is null ? null : time.GetUtcNow() } },
                cancellationToken);
            if (shipped.Version == run.Version || shipped.Ship?.Conclusion is null)
            {
                return;
            }

            // The finish job closes the issues, checks health and posts the summary (success), or fails the run.
            await updates.EnqueueAsync(WorkflowJobs.Finish, $"finish:{run.Id}", shipped, cancellationToken);
            return;
        }

        var task = run.Tasks.FirstOrDefault(t => t.CorrelationId == correlation);
        if (task is null)
        {
            return;
        }

        var failed = conclusion is not null && Tracking.IsFailing(conclusion);
        var result = await updates.ChangeTaskAsync(
            run.Id,
            task.IssueNumber,
            (_, t) =>
            {
                var linked = t with { DispatchId = workflowRun.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) };
                return failed && t.PullRequestNumber is null && t.State is Runs.TaskState.Dispatched or Runs.TaskState.Queued
                    ? linked with { State = Runs.TaskState.Failed, Failure = TaskFailure.Agent, LastError = $"The agent workflow run ended {conclusion} without a pull request." }
                    : linked;
            },
            cancellationToken);
        if (result is { } changed)
        {
            var notice = changed.After.Task(task.IssueNumber)!.State == Runs.TaskState.Failed && changed.Before.Task(task.IssueNumber)!.State != Runs.TaskState.Failed
                ? $"❌ The agent workflow for #{task.IssueNumber} ended {conclusion} without a pull request ([run](<{workflowRun.HtmlUrl}>)). Use `/retry issue:{task.IssueNumber}` to try again."
                : null;
            await updates.NotifyAsync(changed.After, gitHubEvent.Delivery.DeliveryId, notice, cancellationToken);
        }
    }

    private static bool Completed(string? status) => string.Equals(status, "completed", StringComparison.Ordinal);

    private sealed record CheckReport(string HeadSha, string Name, string? Conclusion);
}
