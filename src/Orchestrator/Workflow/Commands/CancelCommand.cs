using Orchestrator.Discord;
using Orchestrator.Runs;
using Orchestrator.Storage;

namespace Orchestrator.Workflow.Commands;

/// <summary>/cancel [run] [reason]: stops an active run; nothing more is dispatched or shipped.</summary>
public sealed class CancelCommand(RunCommandSupport support, IRunStore runs, RunUpdates updates) : ICommandHandler
{
    public static CommandDescriptor Descriptor { get; } = CommandDescriptor.For<CancelCommand>(
        "cancel",
        "Cancel an active run.",
        CommandAccess.Privileged,
        RunCommandSupport.RunOption,
        new CommandOption("reason", "Why, for the thread and the audit log.", CommandOptionType.String));

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
        var cancelled = await runs.UpdateWithRetryAsync(
            run.Id,
            current => Run.IsActive(current.State) ? current with { State = RunState.Cancelled, Reason = reason } : null,
            cancellationToken);
        await support.AuditAsync(context, "cancel", cancelled, AuditOutcome.Succeeded, reason, cancellationToken);
        await updates.NotifyAsync(cancelled, "cancelled", $"Run cancelled by {Markdown.Escape(context.Actor.DisplayName)}{(reason is null ? "." : ": " + Markdown.Escape(reason))}", cancellationToken);
        return InteractionResponse.Message($"Run `{run.Id}` cancelled.");
    }
}
