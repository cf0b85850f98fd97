using System.ComponentModel.DataAnnotations;

namespace Orchestrator.Discord;

public sealed class DiscordOptions
{
    public const string Section = "Orchestrator:Discord";

    /// <summary>The application's Ed25519 public key (64 hex characters) from the Developer Portal.</summary>
    public string? PublicKey { get; set; }

    /// <summary>The application id (snowflake); needed to register commands and to follow up interactions.</summary>
    public string? ApplicationId { get; set; }

    /// <summary>The bot token used for REST calls. A secret: never logged.</summary>
    public string? BotToken { get; set; }

    /// <summary>The Discord REST base address (override for tests or proxies).</summary>
    public Uri ApiBaseUrl { get; set; } = new("https://discord.com/api/v10/");

    /// <summary>The project address sent in the User-Agent Discord requires: "DiscordBot (url, version)".</summary>
    public Uri UserAgentUrl { get; set; } = new("https://github.com/orchestrator-bot/orchestrator");

    /// <summary>Most sends of one REST call, counting retries after 429 and (for GET/PUT/PATCH/DELETE) 5xx.</summary>
    [Range(1, 10)]
    public int RestMaxAttempts { get; set; } = 4;

    /// <summary>Most time one REST call may spend waiting for rate limits and back-off before it fails.</summary>
    public TimeSpan RestMaxWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How far an interaction's timestamp may be from our clock before it is refused as a replay.</summary>
    public TimeSpan ReplayWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Largest interaction body accepted (bytes).</summary>
    public int MaxBodyBytes { get; set; } = 256 * 1024;
}
