using System.ComponentModel.DataAnnotations;

namespace Orchestrator.GitHub;

/// <summary>
/// GitHub settings. None is needed to start: webhooks answer 503 until a secret is set, and the REST client
/// reports <see cref="GitHubNotConfiguredException"/> until <see cref="Token"/> or an App
/// (<see cref="AppId"/> + <see cref="AppPrivateKey"/>) is set. A class, not a record, so that its
/// <c>ToString()</c> prints no secret.
/// </summary>
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

    /// <summary>
    /// A personal access token (fine-grained or classic) for the REST API. A secret: never logged. Used when
    /// set; otherwise the App settings are used.
    /// </summary>
    public string? Token { get; set; }

    /// <summary>
    /// A user token (fine-grained or classic PAT) used only to assign GitHub Copilot, which refuses App installation
    /// tokens. Not needed when <see cref="Token"/> is a user's token already. A secret: never logged.
    /// </summary>
    public string? UserToken { get; set; }

    /// <summary>The GitHub App's id (or client id), the JWT's issuer. Needs <see cref="AppPrivateKey"/>.</summary>
    public string? AppId { get; set; }

    /// <summary>
    /// The App's private key, PEM ("-----BEGIN RSA PRIVATE KEY-----" as GitHub downloads it, or PKCS#8). A
    /// secret: never logged. Literal "\n" sequences are read as line breaks, for environment variables.
    /// </summary>
    public string? AppPrivateKey { get; set; }

    /// <summary>The App installation to use; when unset it is looked up per repository (and cached).</summary>
    public long? InstallationId { get; set; }

    /// <summary>The REST base address; GitHub Enterprise Server uses "https://HOST/api/v3/". Tests point it at a fake.</summary>
    public Uri ApiBaseUrl { get; set; } = new("https://api.github.com/");

    /// <summary>How GitHub REST calls are retried.</summary>
    [Required]
    public GitHubRetryOptions Retry { get; set; } = new();

    public IReadOnlyList<string> Secrets() =>
        (WebhookSecrets ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>True when the REST API can be called: a token, or an App id with its key.</summary>
    public bool HasApiCredentials =>
        !string.IsNullOrWhiteSpace(Token) || (!string.IsNullOrWhiteSpace(AppId) && !string.IsNullOrWhiteSpace(AppPrivateKey));
}

/// <summary>
/// Retries of GitHub REST calls. Server-directed waits (Retry-After, x-ratelimit-reset) are honoured when they
/// fit <see cref="MaxRetryDelay"/>; otherwise the call fails at once with the time to retry at, so the job
/// runner can come back later instead of holding a worker.
/// </summary>
public sealed class GitHubRetryOptions
{
    /// <summary>Retries after the first attempt.</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 4;

    /// <summary>First backoff delay when the server names none; doubled per attempt, with jitter.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest single wait; a server asking for longer is not retried.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The most time one call may spend waiting between attempts in total.</summary>
    public TimeSpan MaxTotalDelay { get; set; } = TimeSpan.FromSeconds(90);
}
