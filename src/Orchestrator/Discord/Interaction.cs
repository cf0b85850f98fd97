using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Discord;

public enum InteractionType
{
    Ping = 1,
    ApplicationCommand = 2,
    MessageComponent = 3,
    ApplicationCommandAutocomplete = 4,
    ModalSubmit = 5,
}

/// <summary>
/// An interaction as Discord sends it. A class, not a record, so that <see cref="Token"/> (a credential for
/// 15 minutes) never appears in a generated ToString().
/// </summary>
public sealed class Interaction
{
    public string? Id { get; init; }

    public string? ApplicationId { get; init; }

    public InteractionType Type { get; init; }

    public InteractionData? Data { get; init; }

    public string? GuildId { get; init; }

    public string? ChannelId { get; init; }

    public GuildMember? Member { get; init; }

    public DiscordUser? User { get; init; }

    public string? Token { get; init; }

    public int Version { get; init; }

    public InteractionMessage? Message { get; init; }

    /// <summary>The user who acted: the member's user in a guild, else the user of a DM.</summary>
    [JsonIgnore]
    public DiscordUser? Actor => Member?.User ?? User;

    /// <summary>True when the fields every interaction must carry are present and well-formed.</summary>
    public bool IsWellFormed() =>
        !string.IsNullOrEmpty(Id) && !string.IsNullOrEmpty(ApplicationId) && Enum.IsDefined(Type)
        && (Type == InteractionType.Ping || !string.IsNullOrEmpty(Token))
        && Type switch
        {
            InteractionType.ApplicationCommand or InteractionType.ApplicationCommandAutocomplete => !string.IsNullOrEmpty(Data?.Name),
            InteractionType.MessageComponent or InteractionType.ModalSubmit => !string.IsNullOrEmpty(Data?.CustomId),
            _ => true,
        };
}

public sealed class InteractionData
{
    public string? Id { get; init; }

    public string? Name { get; init; }

    public int? Type { get; init; }

    public IReadOnlyList<CommandOptionValue>? Options { get; init; }

    public string? CustomId { get; init; }

    public int? ComponentType { get; init; }

    public IReadOnlyList<string>? Values { get; init; }
}

public sealed class CommandOptionValue
{
    public string? Name { get; init; }

    public int Type { get; init; }

    public JsonElement? Value { get; init; }

    public IReadOnlyList<CommandOptionValue>? Options { get; init; }

    public bool? Focused { get; init; }
}

public sealed class GuildMember
{
    public DiscordUser? User { get; init; }

    public IReadOnlyList<string>? Roles { get; init; }

    public string? Nick { get; init; }
}

public sealed class InteractionMessage
{
    public string? Id { get; init; }

    public string? ChannelId { get; init; }
}
