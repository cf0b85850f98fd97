using System.Text.Json.Serialization;

namespace Orchestrator.Discord;

public sealed record DiscordUser(string Id, string? Username, string? GlobalName)
{
    [JsonIgnore]
    public string DisplayName => GlobalName ?? Username ?? Id;
}
