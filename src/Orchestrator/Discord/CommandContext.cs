namespace Orchestrator.Discord;

/// <summary>The caller and arguments of a slash command or button.</summary>
public sealed class CommandContext(Interaction interaction, IReadOnlyDictionary<string, string> arguments)
{
    public Interaction Interaction { get; } = interaction;

    public IReadOnlyDictionary<string, string> Arguments { get; } = arguments;

    public DiscordUser Actor { get; } = interaction.Actor ?? new DiscordUser("unknown", null, null);

    /// <summary>The caller's role ids in the guild; none in a DM.</summary>
    public IReadOnlyList<string> Roles => Interaction.Member?.Roles ?? [];

    public string? Argument(string name) => Arguments.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
}
