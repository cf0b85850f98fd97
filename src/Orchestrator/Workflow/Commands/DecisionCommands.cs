using Orchestrator.Discord;
using Orchestrator.Runs;
using Orchestrator.Storage;

namespace Orchestrator.Workflow.Commands;

/// <summary>/approve [run] and the Approve button: the plan becomes work.</summary>
public sealed class ApproveCommand(RunCommandSupport support) : ISlashCommand
{
    public async Task<InteractionResponse> HandleAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var (run, refusal) = await support.ResolveForAsync(
            context,
            "approve",
            r => r.State != RunState.Pending
                ? $"Run `{r.Id}` is {RunViews.StateName(r.State)}; only a pending plan can be approved."
                : null,
            cancellationToken);
        if (run is null)
        {
            return refusal!;
        }

        var approver = RunCommandSupport.ActorId(context);
        Run? approved = null;
        try
        {
            approved = await support.Runs.UpdateWithRetryAsync(
                run.Id,
                current => current.State == RunState.Pending ? current with { State = RunState.Approved, ApprovedBy = approver } : null,
                cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            // fall through: reported below as a refusal
        }

        if (approved is null || approved.State != RunState.Approved || approved.ApprovedBy != approver)
        {
            return await support.RefuseAsync(context, "approve", run, $"Run `{run.Id}` changed while you approved it; it is now {RunViews.StateName((approved ?? run).State)}.", cancellationToken);
        }

        await support.AuditAsync(context, "approve", approved, AuditOutcome.Succeeded, null, cancellationToken);
        await support.Jobs.EnqueueAsync(
            WorkflowJobs.For(WorkflowJobs.Dispatch, $"dispatch:{run.Id}", new RunJob(run.Id.Value), WorkflowJsonContext.Default.RunJob),
            cancellationToken);
        return RunCommandSupport.Answer(context, $"✅ Plan `{run.Id}` approved by {Markdown.Escape(context.Actor.DisplayName)}: dispatching {run.Tasks.Count} task(s).");
    }
}

/// <summary>/reject [run] [reason] and the Reject button: the plan is closed without work.</summary>
public sealed class RejectCommand(RunCommandSupport support) : ISlashCommand
{
    public async Task<InteractionResponse> HandleAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var (run, refusal) = await support.ResolveForAsync(
            context,
            "reject",
            r => r.State != RunState.Pending
                ? $"Run `{r.Id}` is {RunViews.StateName(r.State)}; only a pending plan can be rejected (use `/cancel` for a run in progress)."
                : null,
            cancellationToken);
        if (run is null)
        {
            return refusal!;
        }

        var reason = context.Argument("reason");
        var rejected = await support.Runs.UpdateWithRetryAsync(
            run.Id,
            current => current.State == RunState.Pending ? current with { State = RunState.Rejected, Reason = reason } : null,
            cancellationToken);
        if (rejected.State != RunState.Rejected)
        {
            return await support.RefuseAsync(context, "reject", run, $"Run `{run.Id}` changed meanwhile; it is now {RunViews.StateName(rejected.State)}.", cancellationToken);
        }

        await support.AuditAsync(context, "reject", rejected, AuditOutcome.Succeeded, reason, cancellationToken);
        await support.EnqueueUpdateAsync(rejected, "rejected", $"Plan rejected by {Markdown.Escape(context.Actor.DisplayName)}{(reason is null ? "." : ": " + Markdown.Escape(reason))}", cancellationToken);
        return RunCommandSupport.Answer(context, $"🛑 Plan `{run.Id}` rejected by {Markdown.Escape(context.Actor.DisplayName)}.");
    }
}

/// <summary>/cancel [run] [reason]: stops an active run; nothing more is dispatched or shipped.</summary>
public sealed class CancelCommand(RunCommandSupport support) : ISlashCommand
{
    public async Task<InteractionResponse> HandleAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var (run, refusal) = await support.ResolveForAsync(
            context,
            "cancel",
            r => !Run.IsActive(r.State)
                ? $"Run `{r.Id}` is already {RunViews.StateName(r.State)}."
                : null,
            cancellationToken);
        if (run is null)
        {
            return refusal!;
        }

        var reason = context.Argument("reason");
        var cancelled = await support.Runs.UpdateWithRetryAsync(
            run.Id,
            current => Run.IsActive(current.State) ? current with { State = RunState.Cancelled, Reason = reason } : null,
            cancellationToken);
        await support.AuditAsync(context, "cancel", cancelled, AuditOutcome.Succeeded, reason, cancellationToken);
        await support.EnqueueUpdateAsync(cancelled, "cancelled", $"Run cancelled by {Markdown.Escape(context.Actor.DisplayName)}{(reason is null ? "." : ": " + Markdown.Escape(reason))}", cancellationToken);
        return InteractionResponse.Message($"Run `{run.Id}` cancelled.");
    }
}

/// <summary>/hold [run] [release]: pauses dispatching (and shipping) of a run, or lifts the hold.</summary>
public sealed class HoldCommand(RunCommandSupport support) : ISlashCommand
{
    public async Task<InteractionResponse> HandleAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var (run, refusal) = await support.ResolveForAsync(
            context,
            "hold",
            r => !Run.IsActive(r.State)
                ? $"Run `{r.Id}` is {RunViews.StateName(r.State)}; only an active run can be held."
                : null,
            cancellationToken);
        if (run is null)
        {
            return refusal!;
        }

        var hold = !string.Equals(context.Argument("release"), "true", StringComparison.OrdinalIgnoreCase);
        var updated = await support.Runs.UpdateWithRetryAsync(run.Id, current => current with { OnHold = hold }, cancellationToken);
        await support.AuditAsync(context, hold ? "hold" : "release", updated, AuditOutcome.Succeeded, null, cancellationToken);
        var who = Markdown.Escape(context.Actor.DisplayName);
        await support.EnqueueUpdateAsync(updated, $"hold:{updated.Version}", hold ? $"⏸️ Run put on hold by {who}: nothing more is dispatched or shipped." : $"▶️ Hold lifted by {who}.", cancellationToken);
        if (!hold && updated.State is RunState.Approved or RunState.InProgress)
        {
            // Tasks that waited during the hold are dispatched now.
            await support.Jobs.EnqueueAsync(
                WorkflowJobs.For(WorkflowJobs.Dispatch, $"dispatch:{run.Id}:release:{updated.Version}", new RunJob(run.Id.Value), WorkflowJsonContext.Default.RunJob),
                cancellationToken);
        }

        return InteractionResponse.Message(hold ? $"Run `{run.Id}` is on hold." : $"Run `{run.Id}` is no longer on hold.");
    }
}

/// <summary>/retry &lt;issue&gt; [run]: dispatches a failed task again.</summary>
public sealed class RetryCommand(RunCommandSupport support) : ISlashCommand
{
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

        var task = run.Tasks.FirstOrDefault(t => t.IssueNumber == issue);
        if (task is null)
        {
            return await support.RefuseAsync(context, "retry", run, $"Issue #{issue} is not part of run `{run.Id}`.", cancellationToken);
        }

        if (run.State != RunState.InProgress || task.State is not (TaskState.Failed or TaskState.ChecksFailing or TaskState.Dispatched))
        {
            return await support.RefuseAsync(context, "retry", run, $"Issue #{issue} is {RunViews.TaskStateName(task.State)} in a run that is {RunViews.StateName(run.State)}; only a failed, failing or stalled task of a run in progress can be retried.", cancellationToken);
        }

        var updated = await support.Runs.UpdateWithRetryAsync(
            run.Id,
            current => current with
            {
                Tasks = [.. current.Tasks.Select(t => t.IssueNumber == issue
                    ? t with { State = TaskState.Queued, LastError = null, FlaggedStale = false, PullRequestNumber = null, PullRequestUrl = null, HeadSha = null, HeadBranch = null, Checks = null, Attempts = t.Attempts + 1 }
                    : t)],
            },
            cancellationToken);
        var attempt = updated.Tasks.First(t => t.IssueNumber == issue).Attempts;
        await support.AuditAsync(context, "retry", updated, AuditOutcome.Succeeded, $"issue #{issue}, attempt {attempt + 1}", cancellationToken);
        await support.Jobs.EnqueueAsync(
            WorkflowJobs.For(WorkflowJobs.Dispatch, $"dispatch:{run.Id}:retry:{issue}:{attempt}", new RunJob(run.Id.Value), WorkflowJsonContext.Default.RunJob),
            cancellationToken);
        return InteractionResponse.Message($"🔁 Issue #{issue} of run `{run.Id}` is dispatched again (attempt {attempt + 1}).");
    }
}
