using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Orchestrator.Configuration;

namespace Orchestrator.GitHub;

/// <summary>
/// GitHub settings that are present but unusable stop the start with their names (a half-configured App, a key that is
/// not PEM); absent ones only disable what needs them.
/// </summary>
public sealed class GitHubOptionsValidator : IValidateOptions<GitHubOptions>
{
    public ValidateOptionsResult Validate(string? name, GitHubOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var section = GitHubOptions.Section;
        var hasAppId = !string.IsNullOrWhiteSpace(options.AppId);
        var hasKey = !string.IsNullOrWhiteSpace(options.AppPrivateKey);
        if (hasAppId && !hasKey && string.IsNullOrWhiteSpace(options.Token))
        {
            failures.Add($"{section}:AppPrivateKey is missing: {section}:AppId is set, and a GitHub App needs its private key (the .pem GitHub lets you download)");
        }

        if (hasKey && !hasAppId)
        {
            failures.Add($"{section}:AppId is missing: {section}:AppPrivateKey is set, and a GitHub App's key is used with its App id");
        }

        if (hasKey && !IsRsaPem(options.AppPrivateKey!))
        {
            failures.Add(Settings.Invalid($"{section}:AppPrivateKey", "expected a PEM RSA private key (\"-----BEGIN RSA PRIVATE KEY-----\" or PKCS#8; \\n may stand for line breaks)", options.AppPrivateKey));
        }

        if (options.InstallationId is <= 0)
        {
            failures.Add(Settings.Invalid($"{section}:InstallationId", "expected the installation's id, a positive number", options.InstallationId));
        }

        if (!options.ApiBaseUrl.IsAbsoluteUri || options.ApiBaseUrl.Scheme is not ("https" or "http"))
        {
            failures.Add(Settings.Invalid($"{section}:ApiBaseUrl", "expected an http(s) URL such as https://api.github.com/", options.ApiBaseUrl));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsRsaPem(string pem)
    {
        using var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem.Contains('\n', StringComparison.Ordinal) ? pem : pem.Replace("\\n", "\n", StringComparison.Ordinal));
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
