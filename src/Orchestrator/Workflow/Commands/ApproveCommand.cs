using Orchestrator.Discord;
using Orchestrator.Runs;
using Orchestrator.Storage;

namespace Orchestrator.Workflow.Commands;

/// <summary>/approve [run] and the Approve button: the plan becomes work.</summary>
public sealed class ApproveCommand(RunCommandSupport support, IRunStore runs, RunUpdates updates) : ICommandHandler
{
    public static CommandDescriptor Descriptor { get; } = CommandDescriptor.For<ApproveCommand>("approve", "Approve a plan and dispatch its work.", CommandAccess.Privileged, RunCommandSupport.RunOption);

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
        var approved = await runs.UpdateWithRetryAsync(
            run.Id,
            current => current.State == RunState.Pending ? current with { State = RunState.Approved, ApprovedBy = approver } : null,
            cancellationToken);
        if (approved.State != RunState.Approved || approved.ApprovedBy != approver)
        {
            return await support.RefuseAsync(context, "approve", run, $"Run `{run.Id}` changed while you approved it; it is now {RunViews.StateName(approved.State)}.", cancellationToken);
        }

        await support.AuditAsync(context, "approve", approved, AuditOutcome.Succeeded, null, cancellationToken);
        await updates.DispatchAsync(run, $"dispatch:{run.Id}", cancellationToken);
        return RunCommandSupport.Answer(context, $"✅ Plan `{run.Id}` approved by {Markdown.Escape(context.Actor.DisplayName)}: dispatching {run.Tasks.Count} task(s).");
    }
}
