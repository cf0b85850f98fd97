using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Discord;

/// <summary>The parts of a Discord message (MessageResponse) that the service uses.</summary>
public sealed record DiscordMessage(string Id, string ChannelId)
{
    public string? Content { get; init; }

    /// <summary>The nonce the message was created with, as text (Discord echoes integers or strings).</summary>
    [JsonConverter(typeof(NonceConverter))]
    public string? Nonce { get; init; }

    public DiscordUser? Author { get; init; }

    public string? Timestamp { get; init; }
}

/// <summary>The parts of a thread channel (ThreadResponse / CreatedThreadResponse) that the service uses.</summary>
public sealed record DiscordThread(string Id, string Name)
{
    public string? ParentId { get; init; }

    public string? GuildId { get; init; }

    public int Type { get; init; }
}

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

/// <summary>The body of POST /channels/{id}/messages (MessageCreateRequest): a payload plus the dedupe nonce.</summary>
internal sealed record CreateMessageBody
{
    public string? Content { get; init; }

    public IReadOnlyList<Embed>? Embeds { get; init; }

    public IReadOnlyList<ActionRow>? Components { get; init; }

    public AllowedMentions? AllowedMentions { get; init; }

    public int? Flags { get; init; }

    public string? Nonce { get; init; }

    public bool? EnforceNonce { get; init; }

    public static CreateMessageBody From(MessagePayload payload, string? nonce) => new()
    {
        Content = payload.Content,
        Embeds = payload.Embeds,
        Components = payload.Components,
        AllowedMentions = payload.AllowedMentions,
        Flags = payload.Flags,
        Nonce = nonce,
        EnforceNonce = nonce is null ? null : true,
    };
}

/// <summary>The body of the thread-creating endpoints (CreateTextThreadWith(out)MessageRequest).</summary>
internal sealed record CreateThreadBody(string Name, int AutoArchiveDuration)
{
    /// <summary>Only for a thread without a message: 11 = PUBLIC_THREAD (Discord's default would be private).</summary>
    public int? Type { get; init; }
}

/// <summary>Discord's error body (ErrorResponse / RatelimitedResponse).</summary>
internal sealed class DiscordErrorBody
{
    public int? Code { get; init; }

    public string? Message { get; init; }

    public double? RetryAfter { get; init; }

    public bool? Global { get; init; }

    public JsonElement? Errors { get; init; }
}

/// <summary>Reads a nonce that Discord returns either as a string or as an integer.</summary>
internal sealed class NonceConverter : JsonConverter<string?>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number => reader.TryGetInt64(out var number)
            ? number.ToString(CultureInfo.InvariantCulture)
            : reader.GetDouble().ToString(CultureInfo.InvariantCulture),
        JsonTokenType.Null => null,
        _ => throw new JsonException("A nonce is a string or an integer."),
    };

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }
}
