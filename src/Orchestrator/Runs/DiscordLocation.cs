namespace Orchestrator.Runs;

/// <summary>Where the run lives in Discord.</summary>
public sealed record DiscordLocation(string? GuildId, string ChannelId, string? ThreadId, string? PlanMessageId, string? StatusMessageId);
