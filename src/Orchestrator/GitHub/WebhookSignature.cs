using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.GitHub;

/// <summary>
/// Verifies X-Hub-Signature-256 (HMAC-SHA256 of the raw body) against every configured secret in constant
/// time. We verify ourselves rather than through Octokit.Webhooks.AspNetCore's MapGitHubWebhooks because that
/// takes one secret (no rotation), answers 400 rather than 401, and does not hand us the raw body to store.
/// </summary>
public sealed class WebhookSignature(IReadOnlyList<string> secrets)
{
    private const string Prefix = "sha256=";
    private readonly byte[][] _keys = [.. secrets.Select(Encoding.UTF8.GetBytes)];

    public bool IsConfigured => _keys.Length > 0;

    public bool Verify(string? header, ReadOnlySpan<byte> body)
    {
        if (_keys.Length == 0 || header is null || header.Length != Prefix.Length + 64
            || !header.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[32];
        if (Convert.FromHexString(header.AsSpan(Prefix.Length), expected, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != 32)
        {
            return false;
        }

        Span<byte> actual = stackalloc byte[32];
        var match = false;
        foreach (var key in _keys)
        {
            // Check every secret, so the time taken does not tell which one matched.
            HMACSHA256.HashData(key, body, actual);
            match |= CryptographicOperations.FixedTimeEquals(actual, expected);
        }

        return match;
    }

    public static string Sign(string secret, ReadOnlySpan<byte> body) =>
        Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
}
