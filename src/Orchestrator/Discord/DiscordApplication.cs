namespace Orchestrator.Discord;

/// <summary>The application as its owner configured it in the Developer Portal (GET /applications/@me).</summary>
public sealed record DiscordApplication(string Id, string Name, string? InteractionsEndpointUrl);

/// <summary>The bot's own user (GET /users/@me): proof that the bot token authenticates.</summary>
public sealed record DiscordBotUser(string Id, string Username);

/// <summary>A channel as the bot sees it (GET /channels/{id}).</summary>
public sealed record DiscordChannel(string Id, int Type, string? Name, string? GuildId);
