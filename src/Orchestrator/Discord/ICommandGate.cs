namespace Orchestrator.Discord;

/// <summary>
/// Decides, before a command's handler runs, whether the caller may run it. The product supplies the rule (its
/// access policy); the adapter only asks. Autocomplete is never gated: it reveals nothing a command would not.
/// </summary>
public interface ICommandGate
{
    /// <summary>The reason to refuse, shown to the caller alone; null to let the command run.</summary>
    Task<string?> RefuseAsync(CommandDescriptor command, CommandContext context, CancellationToken cancellationToken);
}
