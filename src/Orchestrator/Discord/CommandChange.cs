namespace Orchestrator.Discord;

public enum CommandChangeKind
{
    Add,
    Change,
    Remove,
}

/// <summary>One line of a command diff: what sync would do to one command, and why.</summary>
public sealed record CommandChange(CommandChangeKind Kind, string Name, IReadOnlyList<string> Details);
