using Microsoft.Extensions.Options;
using Octokit.Webhooks.Events;
using Orchestrator.GitHub;
using Orchestrator.Runs;
using Orchestrator.Storage;
using Orchestrator.Workflow.Executors;

namespace Orchestrator.Workflow.Events;

/// <summary>
/// issue_comment created or edited on a planned issue: an agent's own word on its work. claude-code-action edits one
/// tracking comment to "Claude finished …" or "Claude encountered an error …"; the OpenHands resolver comments its
/// failure. A failure fails the task with the agent's reason; a success is noted in the thread.
/// </summary>
public sealed class AgentCommentEventHandler(RunUpdates updates, IRunStore runs, IOptionsMonitor<WorkflowOptions> options) : IGitHubEventHandler
{
    public static IReadOnlyList<GitHubEventRoute> Routes { get; } =
    [
        new("issue_comment", "created", "Read an agent's comment on its issue: a failure fails the task with its reason.", typeof(AgentCommentEventHandler)),
        new("issue_comment", "edited", "Read an agent's edited tracking comment (Claude finished or failed).", typeof(AgentCommentEventHandler)),
    ];

    public async Task HandleAsync(GitHubEvent gitHubEvent, CancellationToken cancellationToken)
    {
        var e = (IssueCommentEvent)gitHubEvent.Payload;
        var repo = e.Repository?.FullName;
        var body = e.Comment?.Body;
        if (repo is null || e.Issue is null || body is null || body.Contains(CommentMarker.Prefix, StringComparison.Ordinal))
        {
            return; // not an issue comment, or one of ours
        }

        if (e.Comment?.User?.Type != Octokit.Webhooks.Models.UserType.Bot)
        {
            return; // agents comment as apps (claude[bot], github-actions[bot]); a person's look-alike text is not an outcome
        }

        var number = (int)e.Issue.Number;
        if (options.CurrentValue.Find(repo) is not { } repository
            || await runs.FindByIssueAsync(repo, number, cancellationToken) is not { State: RunState.InProgress } run
            || run.Task(number) is not { } task)
        {
            return;
        }

        // Only the task's own agent speaks for it: a Claude-looking comment on an OpenHands task is someone's text.
        var outcome = repository.ExecutorOf(task).Kind switch
        {
            ExecutorKind.Claude => ClaudeExecutor.Outcome(body),
            ExecutorKind.OpenHands => OpenHandsExecutor.Outcome(body),
            _ => null,
        };
        if (outcome is null)
        {
            return;
        }

        var result = await updates.ChangeTaskAsync(
            run.Id,
            number,
            (_, t) => outcome.Succeeded || t.State is TaskState.Merged or TaskState.Failed
                ? t with { AgentNote = outcome.Message }
                : t with { State = TaskState.Failed, Failure = TaskFailure.Agent, AgentNote = outcome.Message, LastError = "The agent reported a failure: " + outcome.Message },
            cancellationToken);
        if (result is not { } changed)
        {
            return;
        }

        var failed = changed.After.Task(number)!.State == TaskState.Failed && changed.Before.Task(number)!.State != TaskState.Failed;
        var notice = failed
            ? $"❌ The agent failed on #{number}: {Discord.Markdown.Escape(Discord.Markdown.Truncate(outcome.Message, 300))} Use `/retry issue:{number}` to try again."
            : outcome.Succeeded ? $"🤖 The agent reports on #{number}: {Discord.Markdown.Escape(outcome.Message)}" : null;
        await updates.NotifyAsync(changed.After, gitHubEvent.Delivery.DeliveryId, notice, cancellationToken);
    }
}
