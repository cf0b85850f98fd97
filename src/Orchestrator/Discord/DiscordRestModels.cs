using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Discord;

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
