using Octokit.Webhooks.Events;
using Orchestrator.GitHub;

namespace Orchestrator.Workflow.Events;

/// <summary>pull_request: links a pull request to its task (<see cref="PullRequestLinker"/>) and follows it to merge.</summary>
public sealed partial class PullRequestEventHandler(
    PullRequestLinker linker,
    PullRequestTracker tracker,
    TimeProvider time,
    ILogger<PullRequestEventHandler> logger) : IGitHubEventHandler
{
    public static IReadOnlyList<GitHubEventRoute> Routes { get; } =
    [
        new("pull_request", "opened", "Link a new pull request to its task.", typeof(PullRequestEventHandler)),
        new("pull_request", "reopened", "Link a reopened pull request to its task again.", typeof(PullRequestEventHandler)),
        new("pull_request", "edited", "Link a pull request whose body now names its issue.", typeof(PullRequestEventHandler)),
        new("pull_request", "synchronize", "Follow a task's new head commit; its checks start over.", typeof(PullRequestEventHandler)),
        new("pull_request", "ready_for_review", "An agent's draft is ready: the task waits for checks and review.", typeof(PullRequestEventHandler)),
        new("pull_request", "converted_to_draft", "A pull request back in draft: the agent is working on it.", typeof(PullRequestEventHandler)),
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
        var link = await linker.FindAsync(repo, number, pr.Title, pr.Body, pr.Head?.Ref, cancellationToken);
        if (link is null)
        {
            Log.NotLinked(logger, repo, number);
            return;
        }

        var action = gitHubEvent.Delivery.Action;
        var merged = pr.Merged == true || pr.MergedAt is not null;
        var pull = new PullRequestView(number, pr.HtmlUrl, pr.Head?.Sha ?? string.Empty, pr.Head?.Ref ?? string.Empty, pr.Base?.Ref, pr.Draft == true, action == "closed", merged, pr.MergedAt ?? time.GetUtcNow());
        await tracker.ApplyAsync(link, pull, gitHubEvent.Delivery.DeliveryId, foundByReconciliation: false, cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 410, Level = LogLevel.Debug, Message = "Pull request {Repository}#{Number} belongs to no active run")]
        public static partial void NotLinked(ILogger logger, string repository, int number);
    }
}
