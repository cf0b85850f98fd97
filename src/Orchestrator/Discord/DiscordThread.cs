namespace Orchestrator.Discord;

/// <summary>The parts of a thread channel (ThreadResponse / CreatedThreadResponse) that the service uses.</summary>
public sealed record DiscordThread(string Id, string Name)
{
    public string? ParentId { get; init; }

    public string? GuildId { get; init; }

    public int Type { get; init; }
}
