using Orchestrator.GitHub;
using Orchestrator.Workflow.Events;

namespace Orchestrator.Workflow;

/// <summary>
/// Every GitHub event the service acts on; each handler lists its own rows beside its code. Events not listed are
/// stored and acknowledged only.
/// </summary>
public static class GitHubEventTable
{
    public static readonly IReadOnlyList<GitHubEventRoute> All =
    [
        .. PingEventHandler.Routes,
        .. PullRequestEventHandler.Routes,
        .. CheckEventHandler.Routes,
        .. IssueEventHandler.Routes,
        .. BranchEventHandler.Routes,
        .. AgentCommentEventHandler.Routes,
    ];
}
