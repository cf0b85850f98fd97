namespace Orchestrator.Discord;

/// <summary>Deterministic nonces for <see cref="IDiscordApi.CreateMessageAsync"/>, derived from an effect key.</summary>
public static class DiscordNonce
{
    /// <summary>The same key always gives the same 25-character nonce, so a retried effect is deduplicated by Discord.</summary>
    public static string For(string effectKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(effectKey);
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(effectKey));
        return Convert.ToHexStringLower(hash)[..DiscordLimits.Nonce];
    }
}
