using Microsoft.Extensions.Options;
using Orchestrator.Discord;

namespace Orchestrator.Workflow;

public sealed record AccessDecision(bool Allowed, string? Reason)
{
    public static readonly AccessDecision Allow = new(true, null);
}

/// <summary>Who is asking: a Discord user id and the role ids the user holds where the command was run (none in a DM).</summary>
public sealed record Caller(string UserId, IReadOnlyList<string> Roles);

/// <summary>
/// Decides who may run a command. Everyone may run unprivileged commands; a privileged command needs the
/// caller's user id or one of its role ids in the command's grant (or, without one, in Approvers). With no
/// grant configured at all, privileged commands are denied: an unconfigured service approves nothing.
/// Admins may run every privileged command, since they may even force a ship.
/// </summary>
public sealed class AccessPolicy(IOptionsMonitor<WorkflowOptions> options)
{
    public static Caller CallerOf(CommandContext context) => new(context.Actor.Id, context.Roles);

    public AccessDecision Check(CommandDescriptor command, Caller caller) => Check(command.Name, command.Access, caller);

    /// <summary>Whether <paramref name="caller"/> may run the command <paramref name="command"/> of access level <paramref name="level"/>.</summary>
    public AccessDecision Check(string command, CommandAccess level, Caller caller)
    {
        if (level == CommandAccess.Everyone)
        {
            return AccessDecision.Allow;
        }

        var access = options.CurrentValue.Access;
        if (!access.Admins.IsEmpty && Holds(access.Admins, caller))
        {
            return AccessDecision.Allow;
        }

        var grant = access.Commands.TryGetValue(command, out var own) && !own.IsEmpty ? own : access.Approvers;
        var setting = grant == access.Approvers ? "Orchestrator:Access:Approvers" : $"Orchestrator:Access:Commands:{command}";
        if (grant.IsEmpty)
        {
            return new(false, $"`/{command}` is a privileged command and no approver is configured. An operator must set `{setting}` (Discord role ids or user ids).");
        }

        return Holds(grant, caller)
            ? AccessDecision.Allow
            : new(false, $"`/{command}` needs the approver permission: one of the roles or users listed in `{setting}`. You have neither.");
    }

    /// <summary>Whether the caller may force a ship past unmerged or failing tasks.</summary>
    public AccessDecision CheckAdmin(Caller caller)
    {
        var admins = options.CurrentValue.Access.Admins;
        if (admins.IsEmpty)
        {
            return new(false, "Forcing a ship needs an admin, and none is configured (`Orchestrator:Access:Admins`).");
        }

        return Holds(admins, caller)
            ? AccessDecision.Allow
            : new(false, "Forcing a ship needs the admin permission (`Orchestrator:Access:Admins`). You do not have it.");
    }

    private static bool Holds(Grant grant, Caller caller) =>
        grant.Users.Contains(caller.UserId, StringComparer.Ordinal)
        || caller.Roles.Any(r => grant.Roles.Contains(r, StringComparer.Ordinal));
}
