using System.Text.Json.Serialization;

namespace Orchestrator.Discord;

/// <summary>Where a command may be used (InteractionContextType).</summary>
public enum InteractionContextType
{
    Guild = 0,
    BotDm = 1,
    PrivateChannel = 2,
}

/// <summary>How the application is installed for a command (ApplicationIntegrationType).</summary>
public enum ApplicationIntegrationType
{
    GuildInstall = 0,
    UserInstall = 1,
}

/// <summary>One option of a command, as we send it and as Discord returns it (only the fields we compare).</summary>
public sealed record ApplicationCommandOptionDefinition(CommandOptionType Type, string Name, string Description)
{
    public bool? Required { get; init; }

    public bool? Autocomplete { get; init; }
}

/// <summary>A chat-input command as sent to the bulk-overwrite endpoint (ApplicationCommandUpdateRequest).</summary>
public sealed record ApplicationCommandDefinition(string Name, string Description)
{
    /// <summary>1 = CHAT_INPUT (a slash command).</summary>
    public int Type { get; init; } = 1;

    public IReadOnlyList<ApplicationCommandOptionDefinition>? Options { get; init; }

    /// <summary>Sent as an explicit null: everyone may see the command; the command table checks access.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? DefaultMemberPermissions { get; init; }

    /// <summary>Guild channels only: the replacement for the deprecated dm_permission=false.</summary>
    public IReadOnlyList<InteractionContextType>? Contexts { get; init; }

    public IReadOnlyList<ApplicationIntegrationType>? IntegrationTypes { get; init; }
}
