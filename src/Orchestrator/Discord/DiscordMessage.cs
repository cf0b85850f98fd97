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
