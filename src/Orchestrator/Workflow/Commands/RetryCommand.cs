using Orchestrator.Discord;
using Orchestrator.Runs;
using Orchestrator.Storage;

namespace Orchestrator.Workflow.Commands;

/// <summary>/retry &lt;issue&gt; [run]: dispatches a failed task again.</summary>
public sealed class RetryCommand(RunCommandSupport support, IRunStore runs, RunUpdates updates) : ICommandHandler
{
    public static CommandDescriptor Descriptor { get; } = CommandDescriptor.For<RetryCommand>(
        "retry",
        "Dispatch a failed task of a run again.",
        CommandAccess.Privileged,
        new CommandOption("issue", "Issue number of the task.", CommandOptionType.Integer, Required: true),
        RunCommandSupport.RunOption);

    public async Task<InteractionResponse> HandleAsync(CommandContext context, CancellationToken cancellationToken)
    {
        if (!int.TryParse(context.Argument("issue")?.TrimStart('#'), out var issue))
        {
            return InteractionResponse.Message("Name the issue to retry, e.g. `/retry issue:12`.", ephemeral: true);
        }

        var (run, refusal) = await support.ResolveForAsync(context, "retry", _ => null, cancellationToken);
        if (run is null)
        {
            return refusal!;
        }

        var task = run.Task(issue);
        if (task is null)
        {
            return await support.RefuseAsync(context, "retry", run, $"Issue #{issue} is not part of run `{run.Id}`.", cancellationToken);
        }

        if (run.State != RunState.InProgress || task.State is not (TaskState.Failed or TaskState.ChecksFailing or TaskState.Dispatched))
        {
            return await support.RefuseAsync(context, "retry", run, $"Issue #{issue} is {RunViews.TaskStateName(task.State)} in a run that is {RunViews.StateName(run.State)}; only a failed, failing or stalled task of a run in progress can be retried.", cancellationToken);
        }

        var updated = await runs.UpdateWithRetryAsync(
            run.Id,
            current => current.Task(issue) is { } t
                ? current.WithTask(t with { State = TaskState.Queued, LastError = null, FlaggedStale = false, PullRequestNumber = null, PullRequestUrl = null, HeadSha = null, HeadBranch = null, Checks = null, Draft = false, LinkedBy = null, AgentNote = null, PullRequestAt = null, FirstHeadChecks = null, Failure = null, Attempts = t.Attempts + 1 })
                : null,
            cancellationToken);
        var attempt = updated.Task(issue)!.Attempts;
        await support.AuditAsync(context, "retry", updated, AuditOutcome.Succeeded, $"issue #{issue}, attempt {attempt + 1}", cancellationToken);
        await updates.DispatchAsync(run, $"dispatch:{run.Id}:retry:{issue}:{attempt}", cancellationToken);
        return InteractionResponse.Message($"🔁 Issue #{issue} of run `{run.Id}` is dispatched again (attempt {attempt + 1}).");
    }
}
