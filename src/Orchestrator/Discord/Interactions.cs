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

public enum InteractionResponseType
{
    Pong = 1,
    ChannelMessageWithSource = 4,
    DeferredChannelMessageWithSource = 5,
    DeferredUpdateMessage = 6,
    UpdateMessage = 7,
    ApplicationCommandAutocompleteResult = 8,
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

public sealed record DiscordUser(string Id, string? Username, string? GlobalName)
{
    [JsonIgnore]
    public string DisplayName => GlobalName ?? Username ?? Id;
}

public sealed class InteractionMessage
{
    public string? Id { get; init; }

    public string? ChannelId { get; init; }
}

public sealed record InteractionResponse(InteractionResponseType Type, MessagePayload? Data = null)
{
    public static readonly InteractionResponse Pong = new(InteractionResponseType.Pong);

    public static InteractionResponse Message(string content, bool ephemeral = false) =>
        new(InteractionResponseType.ChannelMessageWithSource, MessagePayload.Text(content, ephemeral));

    public static InteractionResponse Message(MessagePayload payload) =>
        new(InteractionResponseType.ChannelMessageWithSource, payload);

    public static InteractionResponse Deferred(bool ephemeral = false) =>
        new(InteractionResponseType.DeferredChannelMessageWithSource, ephemeral ? new MessagePayload { Flags = MessageFlags.Ephemeral } : null);

    public static InteractionResponse DeferredUpdate() => new(InteractionResponseType.DeferredUpdateMessage);

    public static InteractionResponse Choices(IReadOnlyList<CommandChoice> choices) =>
        new(InteractionResponseType.ApplicationCommandAutocompleteResult, new MessagePayload { Choices = choices });
}

public static class MessageFlags
{
    public const int Ephemeral = 1 << 6;
}

/// <summary>
/// A message body: used for interaction responses, follow-ups and channel messages alike.
/// <see cref="AllowedMentions"/> defaults to none so that untrusted text never pings anyone.
/// </summary>
public sealed record MessagePayload
{
    public string? Content { get; init; }

    public int? Flags { get; init; }

    public IReadOnlyList<Embed>? Embeds { get; init; }

    public IReadOnlyList<ActionRow>? Components { get; init; }

    public AllowedMentions? AllowedMentions { get; init; } = AllowedMentions.None;

    /// <summary>Autocomplete choices (only in an autocomplete result).</summary>
    public IReadOnlyList<CommandChoice>? Choices { get; init; }

    public static MessagePayload Text(string content, bool ephemeral = false) =>
        new() { Content = content, Flags = ephemeral ? MessageFlags.Ephemeral : null };
}

public sealed record AllowedMentions(IReadOnlyList<string> Parse)
{
    public static readonly AllowedMentions None = new([]);
}

public sealed record Embed
{
    public string? Title { get; init; }

    public string? Description { get; init; }

    public string? Url { get; init; }

    public int? Color { get; init; }

    public IReadOnlyList<EmbedField>? Fields { get; init; }

    public EmbedFooter? Footer { get; init; }

    public string? Timestamp { get; init; }
}

public sealed record EmbedField(string Name, string Value, bool? Inline = null);

public sealed record EmbedFooter(string Text);

public sealed record ActionRow(IReadOnlyList<Button> Components)
{
    public int Type => 1;
}

public enum ButtonStyle
{
    Primary = 1,
    Secondary = 2,
    Success = 3,
    Danger = 4,
    Link = 5,
}

public sealed record Button(ButtonStyle Style, string Label, string? CustomId = null, string? Url = null, bool? Disabled = null)
{
    public int Type => 2;
}

public sealed record CommandChoice(string Name, string Value);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowOutOfOrderMetadataProperties = true)]
[JsonSerializable(typeof(Interaction))]
[JsonSerializable(typeof(InteractionResponse))]
[JsonSerializable(typeof(MessagePayload))]
[JsonSerializable(typeof(CreateMessageBody))]
[JsonSerializable(typeof(CreateThreadBody))]
[JsonSerializable(typeof(DiscordMessage))]
[JsonSerializable(typeof(IReadOnlyList<DiscordMessage>))]
[JsonSerializable(typeof(DiscordThread))]
[JsonSerializable(typeof(DiscordErrorBody))]
[JsonSerializable(typeof(IReadOnlyList<ApplicationCommandDefinition>))]
[JsonSerializable(typeof(IReadOnlyList<RegisteredCommand>))]
internal sealed partial class DiscordJsonContext : JsonSerializerContext;
