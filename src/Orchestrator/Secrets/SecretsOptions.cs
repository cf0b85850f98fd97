namespace Orchestrator.Secrets;

/// <summary>
/// Where secrets come from in AWS. Read from the configuration that exists before the Parameter Store source is added
/// (environment variables, appsettings), so these settings themselves cannot live in Parameter Store.
/// </summary>
public sealed class SecretsOptions
{
    public const string Section = "Orchestrator:Secrets";

    /// <summary>
    /// A Parameter Store path such as "/orchestrator/prod/". When set, every parameter under it (recursively,
    /// SecureStrings decrypted) becomes a setting: "/orchestrator/prod/Discord/PublicKey" is
    /// "Orchestrator:Discord:PublicKey". Empty locally: secrets then come from user secrets or the environment.
    /// </summary>
    public string? ParameterStorePath { get; set; }

    /// <summary>
    /// Names below <see cref="ParameterStorePath"/> (comma-separated, e.g. "GitHub/WebhookSecrets") to read instead of
    /// the whole path, with GetParameters: a function whose role may read only those parameters (the webhook function
    /// needs only the webhook secrets). A name that does not exist stays a missing setting (/readyz names it).
    /// </summary>
    public string? ParameterNames { get; set; }

    /// <summary>How often the parameters are read again, so a rotated secret is used without a redeploy.</summary>
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>`doctor` warns about a parameter not changed for longer than this: secrets should be rotated on a schedule.</summary>
    public TimeSpan RotateAfter { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Endpoint override for a local Systems Manager API (tests, emulators); empty for AWS.</summary>
    public string? ServiceUrl { get; set; }
}
