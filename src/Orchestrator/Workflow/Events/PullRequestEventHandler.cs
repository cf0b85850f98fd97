using Octokit.Webhooks.Events;
using Orchestrator.GitHub;
using Orchestrator.Runs;
using Orchestrator.Storage;

namespace Orchestrator.Workflow.Events;

/// <summary>pull_request: links a pull request to its task and follows it to merge.</summary>
public sealed partial class PullRequestEventHandler(RunUpdates updates, IRunStore runs, TimeProvider time, ILogger<PullRequestEventHandler> logger) : IGitHubEventHandler
{
    public static IReadOnlyList<GitHubEventRoute> Routes { get; } =
    [
        new("pull_request", "opened", "Link a new pull request to its task.", typeof(PullRequestEventHandler)),
        new("pull_request", "reopened", "Link a reopened pull request to its task again.", typeof(PullRequestEventHandler)),
        new("pull_request", "edited", "Link a pull request whose body now names its issue.", typeof(PullRequestEventHandler)),
        new("pull_request", "synchronize", "Follow a task's new head commit; its checks start over.", typeof(PullRequestEventHandler)),
        new("pull_request", "closed", "Mark a task merged, or failed when its pull request closed unmerged.", typeof(PullRequestEventHandler)),
    ];

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
            _ when changed.Before.Task(issue)!.PullRequestNumber is null => $"🔗 Pull request [#{number}](<{pr.HtmlUrl}>) linked to #{issue}.",
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
        if (await runs.FindByPullRequestAsync(repo, number, cancellationToken) is { } linked)
        {
            var task = linked.Tasks.FirstOrDefault(t => t.PullRequestNumber == number);
            if (task is not null)
            {
                return (linked, task.IssueNumber);
            }
        }

        foreach (var correlation in new[] { Tracking.FindCorrelationId(body), Tracking.FindCorrelationId(branch) })
        {
            if (correlation is not null && await runs.FindByCorrelationIdAsync(correlation, cancellationToken) is { } byCorrelation)
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
            var run = await runs.FindByIssueAsync(repo, issue, cancellationToken);
            var task = run?.Task(issue);
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
