using Orchestrator.Discord;
using Orchestrator.Runs;
using Orchestrator.Storage;

namespace Orchestrator.Workflow.Commands;

/// <summary>/reject [run] [reason] and the Reject button: the plan is closed without work.</summary>
public sealed class RejectCommand(RunCommandSupport support, IRunStore runs, RunUpdates updates) : ICommandHandler
{
    public static CommandDescriptor Descriptor { get; } = CommandDescriptor.For<RejectCommand>(
        "reject",
        "Reject a plan; nothing is dispatched.",
        CommandAccess.Privileged,
        RunCommandSupport.RunOption,
        new CommandOption("reason", "Why, for the thread and the audit log.", CommandOptionType.String));

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
        var rejected = await runs.UpdateWithRetryAsync(
            run.Id,
            current => current.State == RunState.Pending ? current with { State = RunState.Rejected, Reason = reason } : null,
            cancellationToken);
        if (rejected.State != RunState.Rejected)
        {
            return await support.RefuseAsync(context, "reject", run, $"Run `{run.Id}` changed meanwhile; it is now {RunViews.StateName(rejected.State)}.", cancellationToken);
        }

        await support.AuditAsync(context, "reject", rejected, AuditOutcome.Succeeded, reason, cancellationToken);
        await updates.NotifyAsync(rejected, "rejected", $"Plan rejected by {Markdown.Escape(context.Actor.DisplayName)}{(reason is null ? "." : ": " + Markdown.Escape(reason))}", cancellationToken);
        return RunCommandSupport.Answer(context, $"🛑 Plan `{run.Id}` rejected by {Markdown.Escape(context.Actor.DisplayName)}.");
    }
}
