using Orchestrator.Discord;
using Orchestrator.Storage;

namespace Orchestrator.Workflow;

/// <summary>The product's access rule at the Discord adapter's gate: refusals are answered to the caller alone and audited.</summary>
public sealed class CommandGate(AccessPolicy access, IAuditLog audit, TimeProvider time) : ICommandGate
{
    public async Task<string?> RefuseAsync(CommandDescriptor command, CommandContext context, CancellationToken cancellationToken)
    {
        var decision = access.Check(command.Name, command.Access, AccessPolicy.CallerOf(context));
        if (decision.Allowed)
        {
            return null;
        }

        await audit.AppendAsync(
            new AuditEntry(time.GetUtcNow(), Commands.RunCommandSupport.ActorId(context), context.Actor.DisplayName, command.Name, context.Argument("run"), AuditOutcome.Refused, decision.Reason),
            cancellationToken);
        return decision.Reason;
    }
}
