using Microsoft.Extensions.Options;
using Octokit.Webhooks.Events;
using Orchestrator.GitHub;
using Orchestrator.Runs;
using Orchestrator.Storage;
using Orchestrator.Workflow.Executors;

namespace Orchestrator.Workflow.Events;

/// <summary>
/// create and push of a branch: claude-code-action pushes <c>claude/issue-{N}-…</c> and, by default, opens no pull
/// request, so the service queues the opening of one (once per task attempt) when the repository asks for it.
/// </summary>
public sealed class BranchEventHandler(RunUpdates updates, IRunStore runs, IOptionsMonitor<WorkflowOptions> options) : IGitHubEventHandler
{
    public static IReadOnlyList<GitHubEventRoute> Routes { get; } =
    [
        new("create", null, "Open the pull request for an agent's branch when the agent opens none (Claude).", typeof(BranchEventHandler)),
        new("push", null, "Open the pull request for an agent's branch when the agent opens none (Claude).", typeof(BranchEventHandler)),
    ];

    public async Task HandleAsync(GitHubEvent gitHubEvent, CancellationToken cancellationToken)
    {
        var (repo, branch) = gitHubEvent.Payload switch
        {
            CreateEvent { RefType: var type } create when type?.StringValue == "branch" => (create.Repository?.FullName, create.Ref),
            PushEvent { Deleted: false } push when push.Ref.StartsWith("refs/heads/", StringComparison.Ordinal) => (push.Repository?.FullName, push.Ref["refs/heads/".Length..]),
            _ => (null, null),
        };
        if (repo is null || branch is null || options.CurrentValue.Find(repo) is not { } repository
            || ClaudeExecutor.IssueOf(branch) is not { } issue)
        {
            return;
        }

        var run = await runs.FindByIssueAsync(repo, issue, cancellationToken);
        if (run is { State: RunState.InProgress } && run.Task(issue) is { PullRequestNumber: null, State: TaskState.Dispatched } task
            && repository.ExecutorOf(task) is { Kind: ExecutorKind.Claude, OpenPullRequest: true })
        {
            await updates.EnqueueTaskAsync(WorkflowJobs.OpenPullRequest, $"open-pr:{run.Id}:{issue}:{task.Attempts}", run, issue, branch, cancellationToken);
        }
    }
}
