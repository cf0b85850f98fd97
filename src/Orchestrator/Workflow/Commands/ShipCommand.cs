using Microsoft.Extensions.Options;
using Orchestrator.Discord;
using Orchestrator.Runs;
using Orchestrator.Storage;

namespace Orchestrator.Workflow.Commands;

/// <summary>
/// /ship [run] [force]: deploys a run whose tasks are all merged with green checks. An admin may force a ship
/// past that rule by stating a reason, which is audited and shown in the summary.
/// </summary>
public sealed class ShipCommand(
    RunCommandSupport support,
    IRunStore runs,
    RunUpdates updates,
    AccessPolicy access,
    IOptionsMonitor<WorkflowOptions> options,
    TimeProvider time) : ICommandHandler
{
    public static CommandDescriptor Descriptor { get; } = CommandDescriptor.For<ShipCommand>(
        "ship",
        "Deploy a run whose tasks are all merged with green checks.",
        CommandAccess.Privileged,
        RunCommandSupport.RunOption,
        new CommandOption("force", "Admins only: ship anyway, giving the reason (audited).", CommandOptionType.String));

    public async Task<InteractionResponse> HandleAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var (run, refusal) = await support.ResolveForAsync(
            context,
            "ship",
            r => r.State != RunState.InProgress
                ? $"Run `{r.Id}` is {RunViews.StateName(r.State)}; only a run in progress can ship."
                : null,
            cancellationToken);
        if (run is null)
        {
            return refusal!;
        }

        if (run.OnHold)
        {
            return await support.RefuseAsync(context, "ship", run, $"Run `{run.Id}` is on hold; lift the hold with `/hold release:true` first.", cancellationToken);
        }

        if (options.CurrentValue.Find(run.Repository)?.Deploy.Workflow is null)
        {
            return await support.RefuseAsync(context, "ship", run, $"No deploy workflow is configured for `{run.Repository}` (`Orchestrator:Repositories:N:Deploy:Workflow`).", cancellationToken);
        }

        var blocking = run.Tasks.Where(t => !Tracking.IsShippable(t)).ToList();
        var force = context.Argument("force");
        if (blocking.Count > 0)
        {
            var reasons = string.Join("\n", blocking.Select(t => $"• #{t.IssueNumber}: {RunViews.TaskStateName(t.State)}{(t.State == TaskState.Merged ? " but checks are not all green" : string.Empty)}"));
            if (force is null)
            {
                return await support.RefuseAsync(context, "ship", run, $"Run `{run.Id}` cannot ship yet: every task must be merged with green checks.\n{reasons}", cancellationToken);
            }

            var admin = access.CheckAdmin(AccessPolicy.CallerOf(context));
            if (!admin.Allowed)
            {
                return await support.RefuseAsync(context, "ship", run, admin.Reason!, cancellationToken);
            }
        }

        var ship = new ShipInfo(Tracking.ShipCorrelationId(run.Id), RunCommandSupport.ActorId(context), time.GetUtcNow(), ForcedReason: blocking.Count > 0 ? force : null);
        var shipping = await runs.UpdateWithRetryAsync(
            run.Id,
            current => current.State == RunState.InProgress ? current with { State = RunState.Shipping, Ship = ship } : null,
            cancellationToken);
        if (shipping.State != RunState.Shipping || shipping.Ship?.RequestedBy != ship.RequestedBy)
        {
            return await support.RefuseAsync(context, "ship", run, $"Run `{run.Id}` changed meanwhile; it is now {RunViews.StateName(shipping.State)}.", cancellationToken);
        }

        await support.AuditAsync(context, ship.ForcedReason is null ? "ship" : "ship-forced", shipping, AuditOutcome.Succeeded, ship.ForcedReason, cancellationToken);
        await updates.EnqueueAsync(WorkflowJobs.Ship, $"ship:{run.Id}", shipping, cancellationToken);
        return InteractionResponse.Message($"🚀 Shipping run `{run.Id}`: deploy workflow dispatched by {Markdown.Escape(context.Actor.DisplayName)}{(ship.ForcedReason is null ? "." : " (forced: " + Markdown.Escape(ship.ForcedReason) + ").")}");
    }
}
