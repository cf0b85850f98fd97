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

    /// <summary>How far an interaction's timestamp may be from our clock before it is refused as a replay.</summary>
    public TimeSpan ReplayWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Largest interaction body accepted (bytes).</summary>
    public int MaxBodyBytes { get; set; } = 256 * 1024;
}
