using Microsoft.Extensions.Options;

namespace Orchestrator.Configuration;

/// <summary>Settings of the service as a whole.</summary>
public sealed class ServiceOptions
{
    public const string Section = "Orchestrator";

    /// <summary>
    /// The public https address Discord and GitHub reach the service at (a tunnel locally, the HTTP API's URL on AWS),
    /// e.g. https://orchestrator.example.com. `doctor` checks that the GitHub webhook and Discord's Interactions Endpoint
    /// URL point at it.
    /// </summary>
    public Uri? PublicUrl { get; set; }

    /// <summary>The address GitHub must deliver webhooks to.</summary>
    public Uri? WebhookUrl => Below("github/webhooks");

    /// <summary>The address Discord must send interactions to.</summary>
    public Uri? InteractionsUrl => Below("discord/interactions");

    // "https://host/prefix" and "https://host/prefix/" both mean the folder "prefix".
    private Uri? Below(string path) => PublicUrl is null ? null : new(new Uri(PublicUrl.AbsoluteUri.TrimEnd('/') + "/"), path);
}

public sealed class ServiceOptionsValidator : IValidateOptions<ServiceOptions>
{
    public ValidateOptionsResult Validate(string? name, ServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.PublicUrl is { } url && (!url.IsAbsoluteUri || url.Scheme is not ("https" or "http") || !string.IsNullOrEmpty(url.Query))
            ? ValidateOptionsResult.Fail(Settings.Invalid($"{ServiceOptions.Section}:PublicUrl", "expected the service's public address, such as https://orchestrator.example.com", url.OriginalString))
            : ValidateOptionsResult.Success;
    }
}
