namespace Orchestrator.GitHub;

public sealed class GitHubOptions
{
    public const string Section = "Orchestrator:GitHub";

    /// <summary>
    /// Webhook secrets, comma-separated. A delivery signed with any of them is accepted, so a secret can be
    /// rotated without downtime: set "new,old", change the secret in GitHub, then drop "old".
    /// </summary>
    public string? WebhookSecrets { get; set; }

    /// <summary>GitHub caps webhook payloads at 25 MB.</summary>
    public int MaxBodyBytes { get; set; } = 25 * 1024 * 1024;

    public IReadOnlyList<string> Secrets() =>
        (WebhookSecrets ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
