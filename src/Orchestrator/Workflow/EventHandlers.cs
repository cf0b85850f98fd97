using Octokit.Webhooks.Events;
using Orchestrator.GitHub;
using Orchestrator.Runs;

namespace Orchestrator.Workflow;

/// <summary>pull_request: links a pull request to its task and follows it to merge.</summary>
public sealed partial class PullRequestHandler(RunUpdates updates, TimeProvider time, ILogger<PullRequestHandler> logger) : IGitHubEventHandler
{
    public async Task HandleAsync(GitHubEvent gitHubEvent, CancellationToken cancellationToken)
    {
        var e = (PullRequestEvent)gitHubEvent.Payload;
        var repo = e.Repository?.FullName;
        var pr = e.PullRequest;
        if (repo is null || pr is null)
        {
            return;
        }

        var number = (int)pr.Number;
        var (run, issue) = await FindTaskAsync(repo, number, pr.Title, pr.Body, pr.Head?.Ref, cancellationToken);
        if (run is null)
        {
            Log.NotLinked(logger, repo, number);
            return;
        }

        var action = gitHubEvent.Delivery.Action;
        var merged = pr.Merged == true || pr.MergedAt is not null;
        var result = await updates.ChangeTaskAsync(
            run.Id,
            issue,
            (_, task) => action switch
            {
                "closed" => Tracking.PullRequestClosed(task, merged, pr.MergedAt ?? time.GetUtcNow(), number),
                _ => Tracking.PullRequestOpened(task, number, pr.HtmlUrl, pr.Head?.Sha ?? string.Empty, pr.Head?.Ref ?? string.Empty),
            },
            cancellationToken);
        if (result is not { } changed)
        {
            return;
        }

        var notice = action switch
        {
            "opened" or "reopened" => $"🔗 Pull request [#{number}](<{pr.HtmlUrl}>) opened for #{issue}.",
            "closed" when merged => $"🎉 Pull request [#{number}](<{pr.HtmlUrl}>) merged (#{issue}).",
            "closed" => $"⚠️ Pull request [#{number}](<{pr.HtmlUrl}>) was closed without merging (#{issue}).",
            _ when changed.Before.Tasks.First(t => t.IssueNumber == issue).PullRequestNumber is null => $"🔗 Pull request [#{number}](<{pr.HtmlUrl}>) linked to #{issue}.",
            _ => null,
        };
        if (RunUpdates.BecameShippable(changed.Before, changed.After))
        {
            notice = (notice is null ? string.Empty : notice + "\n") + "🏁 Every task is merged with green checks: ready to `/ship`.";
        }

        await updates.NotifyAsync(changed.After, gitHubEvent.Delivery.DeliveryId, notice, cancellationToken);
    }

    /// <summary>The task a pull request belongs to: already linked, else by closing keywords, correlation id or branch name.</summary>
    private async Task<(Run? Run, int Issue)> FindTaskAsync(string repo, int number, string? title, string? body, string? branch, CancellationToken cancellationToken)
    {
        if (await updates.Runs.FindByPullRequestAsync(repo, number, cancellationToken) is { } linked)
        {
            var task = linked.Tasks.FirstOrDefault(t => t.PullRequestNumber == number);
            if (task is not null)
            {
                return (linked, task.IssueNumber);
            }
        }

        foreach (var correlation in new[] { Tracking.FindCorrelationId(body), Tracking.FindCorrelationId(branch) })
        {
            if (correlation is not null && await updates.Runs.FindByCorrelationIdAsync(correlation, cancellationToken) is { } byCorrelation)
            {
                var task = byCorrelation.Tasks.FirstOrDefault(t => t.CorrelationId == correlation);
                if (task is not null)
                {
                    return (byCorrelation, task.IssueNumber);
                }
            }
        }

        foreach (var issue in Tracking.ClosingReferences(repo, title, body).Concat(Tracking.BranchReferences(branch)))
        {
            var run = await updates.Runs.FindByIssueAsync(repo, issue, cancellationToken);
            var task = run?.Tasks.FirstOrDefault(t => t.IssueNumber == issue);
            if (run is not null && Run.IsActive(run.State) && task is not null && (task.PullRequestNumber is null || task.PullRequestNumber == number))
            {
                return (run, issue);
            }
        }

        return (null, 0);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 410, Level = LogLevel.Debug, Message = "Pull request {Repository}#{Number} belongs to no active run")]
        public static partial void NotLinked(ILogger logger, string repository, int number);
    }
}

/// <summary>check_suite, check_run and workflow_run: check results for task heads, agent workflow runs, and the deploy.</summary>
public sealed class CheckHandler(RunUpdates updates, TimeProvider time) : IGitHubEventHandler
{
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
            _ => null,
        };
        if (report is null)
        {
            return;
        }

        if (gitHubEvent.Payload is WorkflowRunEvent { WorkflowRun: { } workflowRun }
            && Tracking.FindCorrelationId(workflowRun.DisplayTitle + " " + workflowRun.Name) is { } correlation
            && await updates.Runs.FindByCorrelationIdAsync(correlation, cancellationToken) is { } correlated)
        {
            await FollowCorrelatedRunAsync(gitHubEvent, correlated, correlation, workflowRun, report.Conclusion, cancellationToken);
            return;
        }

        foreach (var run in await updates.Runs.ListActiveAsync(repo, cancellationToken))
        {
            foreach (var task in run.Tasks.Where(t => string.Equals(t.HeadSha, report.HeadSha, StringComparison.OrdinalIgnoreCase)))
            {
                var result = await updates.ChangeTaskAsync(run.Id, task.IssueNumber, (_, t) => Tracking.CheckReported(t, report.HeadSha, report.Name, report.Conclusion), cancellationToken);
                if (result is not { } changed)
                {
                    continue;
                }

                var now = changed.After.Tasks.First(t => t.IssueNumber == task.IssueNumber);
                var was = changed.Before.Tasks.First(t => t.IssueNumber == task.IssueNumber);
                string? notice = null;
                if (now.State == Runs.TaskState.ChecksFailing && was.State != Runs.TaskState.ChecksFailing)
                {
                    notice = $"❌ Checks failing on [PR #{now.PullRequestNumber}](<{now.PullRequestUrl}>) (#{now.IssueNumber}): `{report.Name}` {report.Conclusion}.";
                }

                if (RunUpdates.BecameShippable(changed.Before, changed.After))
                {
                    notice = (notice is null ? string.Empty : notice + "\n") + "🏁 Every task is merged with green checks: ready to `/ship`.";
                }

                await updates.NotifyAsync(changed.After, gitHubEvent.Delivery.DeliveryId, notice, cancellationToken);
            }
        }
    }

    private async Task FollowCorrelatedRunAsync(GitHubEvent gitHubEvent, Run run, string correlation, Octokit.Webhooks.Models.WorkflowRun workflowRun, string? conclusion, CancellationToken cancellationToken)
    {
        if (run.Ship?.CorrelationId == correlation)
        {
            var shipped = await updates.Runs.UpdateWithRetryAsync(
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
                    ? linked with { State = Runs.TaskState.Failed, LastError = $"The agent workflow run ended {conclusion} without a pull request." }
                    : linked;
            },
            cancellationToken);
        if (result is { } changed)
        {
            var notice = changed.After.Tasks.First(t => t.IssueNumber == task.IssueNumber).State == Runs.TaskState.Failed && changed.Before.Tasks.First(t => t.IssueNumber == task.IssueNumber).State != Runs.TaskState.Failed
                ? $"❌ The agent workflow for #{task.IssueNumber} ended {conclusion} without a pull request ([run](<{workflowRun.HtmlUrl}>)). Use `/retry issue:{task.IssueNumber}` to try again."
                : null;
            await updates.NotifyAsync(changed.After, gitHubEvent.Delivery.DeliveryId, notice, cancellationToken);
        }
    }

    private static bool Completed(string? status) => string.Equals(status, "completed", StringComparison.Ordinal);

    private sealed record CheckReport(string HeadSha, string Name, string? Conclusion);
}

/// <summary>issues: a planned issue closed outside the loop, or its labels changed.</summary>
public sealed class IssueHandler(RunUpdates updates) : IGitHubEventHandler
{
    public async Task HandleAsync(GitHubEvent gitHubEvent, CancellationToken cancellationToken)
    {
        var e = (IssuesEvent)gitHubEvent.Payload;
        var repo = e.Repository?.FullName;
        if (repo is null || e.Issue is null)
        {
            return;
        }

        var number = (int)e.Issue.Number;
        var run = await updates.Runs.FindByIssueAsync(repo, number, cancellationToken);
        if (run is null || !Run.IsActive(run.State))
        {
            return;
        }

        switch (gitHubEvent.Delivery.Action)
        {
            case "labeled" or "unlabeled":
                var labels = e.Issue.Labels?.Select(l => l.Name).ToList() ?? [];
                var relabelled = await updates.Runs.UpdateWithRetryAsync(
                    run.Id,
                    current => current with { Plan = [.. current.Plan.Select(i => i.Number == number ? i with { Labels = labels } : i)] },
                    cancellationToken);
                await updates.NotifyAsync(relabelled, gitHubEvent.Delivery.DeliveryId, null, cancellationToken);
                break;

            case "closed" when run.State != RunState.Shipping:
                var result = await updates.ChangeTaskAsync(
                    run.Id,
                    number,
                    (_, t) => t.State is Runs.TaskState.Merged || t.PullRequestNumber is not null
                        ? t
                        : t with { State = Runs.TaskState.Failed, LastError = "The issue was closed without a pull request." },
                    cancellationToken);
                if (result is { } changed)
                {
                    await updates.NotifyAsync(changed.After, gitHubEvent.Delivery.DeliveryId, $"⚠️ Issue #{number} was closed without a pull request.", cancellationToken);
                }

                break;
        }
    }
}
