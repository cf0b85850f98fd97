using Orchestrator.Discord;
using Orchestrator.Runs;
using Orchestrator.Storage;

namespace Orchestrator.Workflow.Commands;

/// <summary>/hold [run] [release]: pauses dispatching (and shipping) of a run, or lifts the hold.</summary>
public sealed class HoldCommand(RunCommandSupport support, IRunStore runs, RunUpdates updates) : ICommandHandler
{
    public static CommandDescriptor Descriptor { get; } = CommandDescriptor.For<HoldCommand>(
        "hold",
        "Pause dispatching and shipping of a run, or lift the hold.",
        CommandAccess.Privileged,
        RunCommandSupport.RunOption,
        new CommandOption("release", "True to lift the hold.", CommandOptionType.Boolean));

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
        var updated = await runs.UpdateWithRetryAsync(run.Id, current => current with { OnHold = hold }, cancellationToken);
        await support.AuditAsync(context, hold ? "hold" : "release", updated, AuditOutcome.Succeeded, null, cancellationToken);
        var who = Markdown.Escape(context.Actor.DisplayName);
        await updates.NotifyAsync(updated, $"hold:{updated.Version}", hold ? $"⏸️ Run put on hold by {who}: nothing more is dispatched or shipped." : $"▶️ Hold lifted by {who}.", cancellationToken);
        if (!hold && updated.State is RunState.Approved or RunState.InProgress)
        {
            // Tasks that waited during the hold are dispatched now.
            await updates.DispatchAsync(run, $"dispatch:{run.Id}:release:{updated.Version}", cancellationToken);
        }

        return InteractionResponse.Message(hold ? $"Run `{run.Id}` is on hold." : $"Run `{run.Id}` is no longer on hold.");
    }
}
