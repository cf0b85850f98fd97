using Microsoft.Extensions.Options;
using Orchestrator.Discord;
using Orchestrator.GitHub;
using Orchestrator.Secrets;

namespace Orchestrator.Health;

public sealed record MissingSetting(string Setting, string Effect);

/// <summary>
/// What is missing from the configuration. The service starts anyway; each gap is logged once at start-up
/// and the endpoint it disables answers 503 with the setting's name. Read from the current options, so a secret that
/// arrives with a Parameter Store reload clears its gap. When secrets come from Parameter Store, each gap also names
/// the parameter to create ("Orchestrator:Discord:PublicKey" is "{path}/Discord/PublicKey").
/// </summary>
public sealed partial class ConfigurationReport(IOptionsMonitor<DiscordOptions> discord, IOptionsMonitor<GitHubOptions> github, IConfiguration configuration)
{
    public IReadOnlyList<MissingSetting> Missing =>
        [.. Find(discord.CurrentValue, github.CurrentValue).Select(m => m with { Setting = WithParameter(m.Setting) })];

    /// <summary>"Orchestrator:A:B" plus " (Parameter Store {path}/A/B)" for each setting named, when a path is configured.</summary>
    private string WithParameter(string setting)
    {
        var path = configuration[SecretsOptions.Section + ":" + nameof(SecretsOptions.ParameterStorePath)];
        if (string.IsNullOrWhiteSpace(path))
        {
            return setting;
        }

        var root = "/" + path.Trim().Trim('/');
        return System.Text.RegularExpressions.Regex.Replace(
            setting,
            @"Orchestrator:[A-Za-z0-9:]+",
            m => $"{m.Value} (Parameter Store {root}/{m.Value["Orchestrator:".Length..].Replace(':', '/')})",
            System.Text.RegularExpressions.RegexOptions.None,
            TimeSpan.FromSeconds(1));
    }

    private static List<MissingSetting> Find(DiscordOptions discord, GitHubOptions github)
    {
        var missing = new List<MissingSetting>();
        if (!InteractionSignature.IsValidPublicKey(discord.PublicKey))
        {
            missing.Add(new("Orchestrator:Discord:PublicKey", "POST /discord/interactions answers 503 until it is set to the application's 64-hex-character public key"));
        }

        if (github.Secrets().Count == 0)
        {
            missing.Add(new("Orchestrator:GitHub:WebhookSecrets", "POST /github/webhooks answers 503 until at least one webhook secret is set"));
        }

        if (string.IsNullOrWhiteSpace(discord.BotToken) || string.IsNullOrWhiteSpace(discord.ApplicationId))
        {
            missing.Add(new("Orchestrator:Discord:BotToken and Orchestrator:Discord:ApplicationId", "the daily loop cannot post plans, threads or answers to Discord until both are set"));
        }

        if (!github.HasApiCredentials)
        {
            missing.Add(new("Orchestrator:GitHub:Token (or AppId and AppPrivateKey)", "the daily loop cannot read issues or dispatch work until GitHub credentials are set"));
        }

        return missing;
    }

    public void LogAtStartup(ILogger logger)
    {
        foreach (var setting in Missing)
        {
            Log.Missing(logger, setting.Setting, setting.Effect);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Not set: {Setting}: {Effect}")]
        public static partial void Missing(ILogger logger, string setting, string effect);
    }
}
