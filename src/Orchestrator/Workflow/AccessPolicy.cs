using Microsoft.Extensions.Options;
using Orchestrator.Discord;

namespace Orchestrator.Workflow;

public sealed record AccessDecision(bool Allowed, string? Reason)
{
    public static readonly AccessDecision Allow = new(true, null);
}

/// <summary>
/// Decides who may run a command. Everyone may run unprivileged commands; a privileged command needs the
/// caller's user id or one of its role ids in the command's grant (or, without one, in Approvers). With no
/// grant configured at all, privileged commands are denied: an unconfigured service approves nothing.
/// </summary>
public sealed class AccessPolicy(IOptionsMonitor<WorkflowOptions> options)
{
    public AccessDecision Check(SlashCommand command, Interaction interaction)
    {
        if (command.Access == CommandAccess.Everyone)
        {
            return AccessDecision.Allow;
        }

        var access = options.CurrentValue.Access;
        var grant = access.Commands.TryGetValue(command.Name, out var own) && !own.IsEmpty ? own : access.Approvers;
        var setting = grant == access.Approvers ? "Orchestrator:Access:Approvers" : $"Orchestrator:Access:Commands:{command.Name}";
        if (grant.IsEmpty)
        {
            return new(false, $"`/{command.Name}` is a privileged command and no approver is configured. An operator must set `{setting}` (Discord role ids or user ids).");
        }

        return Holds(grant, interaction)
            ? AccessDecision.Allow
            : new(false, $"`/{command.Name}` needs the approver permission: one of the roles or users listed in `{setting}`. You have neither.");
    }

    /// <summary>Whether the caller may force a ship past unmerged or failing tasks.</summary>
    public AccessDecision CheckAdmin(Interaction interaction)
    {
        var admins = options.CurrentValue.Access.Admins;
        if (admins.IsEmpty)
        {
            return new(false, "Forcing a ship needs an admin, and none is configured (`Orchestrator:Access:Admins`).");
        }

        return Holds(admins, interaction)
            ? AccessDecision.Allow
            : new(false, "Forcing a ship needs the admin permission (`Orchestrator:Access:Admins`). You do not have it.");
    }

    private static bool Holds(Grant grant, Interaction interaction)
    {
        var userId = interaction.Actor?.Id;
        if (userId is not null && grant.Users.Contains(userId, StringComparer.Ordinal))
        {
            return true;
        }

        // Roles only exist inside a guild; a DM carries none.
        var roles = interaction.Member?.Roles ?? [];
        return roles.Any(r => grant.Roles.Contains(r, StringComparer.Ordinal));
    }
}
