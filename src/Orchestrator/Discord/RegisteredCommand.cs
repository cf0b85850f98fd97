namespace Orchestrator.Discord;

/// <summary>A command as Discord has it registered (ApplicationCommandResponse).</summary>
public sealed record RegisteredCommand(string Id, string Name, string Description)
{
    public string? ApplicationId { get; init; }

    public string? GuildId { get; init; }

    public string? Version { get; init; }

    public int Type { get; init; } = 1;

    public IReadOnlyList<ApplicationCommandOptionDefinition>? Options { get; init; }

    public string? DefaultMemberPermissions { get; init; }

    public IReadOnlyList<InteractionContextType>? Contexts { get; init; }

    public IReadOnlyList<ApplicationIntegrationType>? IntegrationTypes { get; init; }
}
