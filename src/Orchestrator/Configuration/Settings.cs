using System.Globalization;

namespace Orchestrator.Configuration;

/// <summary>How a setting and its value are named in a message a person reads: the full key, and the value unless it is a secret.</summary>
public static class Settings
{
    private static readonly string[] SecretWords = ["token", "secret", "key", "password", "credential"];

    /// <summary>True when the setting's value must never be printed or logged.</summary>
    public static bool IsSecret(string key)
    {
        var name = key[(key.LastIndexOf(':') + 1)..];
        return SecretWords.Any(w => name.Contains(w, StringComparison.OrdinalIgnoreCase))
            && !name.Equals("PublicKey", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>"(got 'value')", or "(a secret; its value is not shown)" for a secret.</summary>
    public static string Got(string key, object? value) => value switch
    {
        _ when IsSecret(key) => "(its value is a secret and is not shown)",
        null => "(not set)",
        string { Length: 0 } => "(set but empty)",
        IFormattable f => $"(got '{f.ToString(null, CultureInfo.InvariantCulture)}')",
        _ => $"(got '{value}')",
    };

    /// <summary>One line: "Setting is invalid: expected … (got '…')".</summary>
    public static string Invalid(string key, string expected, object? value) => $"{key} is invalid: {expected} {Got(key, value)}";
}
