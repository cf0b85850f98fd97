using Orchestrator.Workflow;

namespace Orchestrator.GitHub;

/// <summary>Every GitHub event the service acts on. Events not listed are stored, acknowledged and logged.</summary>
public static class GitHubEventTable
{
    public static readonly IReadOnlyList<GitHubEventRoute> All =
    [
        new("ping", null, "Log that GitHub reached the webhook (sent when a hook is created).", typeof(PingHandler)),
        new("pull_request", "opened", "Link a new pull request to its task.", typeof(PullRequestHandler)),
        new("pull_request", "reopened", "Link a reopened pull request to its task again.", typeof(PullRequestHandler)),
        new("pull_request", "edited", "Link a pull request whose body now names its issue.", typeof(PullRequestHandler)),
        new("pull_request", "synchronize", "Follow a task's new head commit; its checks start over.", typeof(PullRequestHandler)),
        new("pull_request", "closed", "Mark a task merged, or failed when its pull request closed unmerged.", typeof(PullRequestHandler)),
        new("check_suite", null, "Record a check suite's result for a task's head commit.", typeof(CheckHandler)),
        new("check_run", null, "Record a check run's result for a task's head commit.", typeof(CheckHandler)),
        new("workflow_run", null, "Follow agent and deploy workflow runs by correlation id, and checks by head.", typeof(CheckHandler)),
        new("issues", "closed", "Flag a planned issue closed without a pull request.", typeof(IssueHandler)),
        new("issues", "labeled", "Keep a planned issue's labels current.", typeof(IssueHandler)),
        new("issues", "unlabeled", "Keep a planned issue's labels current.", typeof(IssueHandler)),
    ];
}
