using Microsoft.Extensions.Options;
using Orchestrator.Configuration;

namespace Orchestrator.Discord;

/// <summary>
/// A Discord setting that is present but unusable stops the start with its name; one that is absent only disables
/// what needs it (see the configuration report), so the service still starts with no settings at all.
/// </summary>
public sealed class DiscordOptionsValidator : IValidateOptions<DiscordOptions>
{
    public ValidateOptionsResult Validate(string? name, DiscordOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.PublicKey) && !InteractionSignature.IsValidPublicKey(options.PublicKey))
        {
            failures.Add(Settings.Invalid($"{DiscordOptions.Section}:PublicKey", $"expected the application's public key from the Developer Portal, 64 hexadecimal characters; this has {options.PublicKey.Trim().Length}", options.PublicKey));
        }

        if (!string.IsNullOrWhiteSpace(options.ApplicationId) && !IsSnowflake(options.ApplicationId))
        {
            failures.Add(Settings.Invalid($"{DiscordOptions.Section}:ApplicationId", "expected the application id, a number such as 1100000000000000001", options.ApplicationId));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static bool IsSnowflake(string value) => value.Length is > 0 and <= 20 && value.All(char.IsAsciiDigit);
}
