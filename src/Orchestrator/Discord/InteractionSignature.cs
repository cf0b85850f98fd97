using System.Globalization;
using System.Text;
using NSec.Cryptography;

namespace Orchestrator.Discord;

/// <summary>
/// Verifies Discord's Ed25519 request signature over timestamp + raw body, and that the timestamp lies inside
/// the replay window. Every malformed input is simply "not verified": callers answer 401 without detail.
/// </summary>
public sealed class InteractionSignature
{
    private const int SignatureLength = 64;
    private readonly NSec.Cryptography.PublicKey? _key;
    private readonly TimeProvider _time;
    private readonly TimeSpan _window;

    public InteractionSignature(string? publicKeyHex, TimeSpan window, TimeProvider time)
    {
        _time = time;
        _window = window;
        _key = TryImport(publicKeyHex);
    }

    public bool IsConfigured => _key is not null;

    public static bool IsValidPublicKey(string? publicKeyHex) => TryImport(publicKeyHex) is not null;

    public bool Verify(string? signatureHex, string? timestamp, ReadOnlySpan<byte> body)
    {
        if (_key is null || signatureHex is null || timestamp is null || signatureHex.Length != SignatureLength * 2)
        {
            return false;
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return false;
        }

        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (Math.Abs(now - seconds) > (long)_window.TotalSeconds)
        {
            return false;
        }

        Span<byte> signature = stackalloc byte[SignatureLength];
        if (Convert.FromHexString(signatureHex, signature, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != SignatureLength)
        {
            return false;
        }

        var timestampLength = Encoding.ASCII.GetByteCount(timestamp);
        var message = new byte[timestampLength + body.Length];
        Encoding.ASCII.GetBytes(timestamp, message);
        body.CopyTo(message.AsSpan(timestampLength));
        return SignatureAlgorithm.Ed25519.Verify(_key, message, signature);
    }

    private static NSec.Cryptography.PublicKey? TryImport(string? publicKeyHex)
    {
        if (string.IsNullOrWhiteSpace(publicKeyHex) || publicKeyHex.Length != 64)
        {
            return null;
        }

        try
        {
            var bytes = Convert.FromHexString(publicKeyHex);
            return NSec.Cryptography.PublicKey.TryImport(SignatureAlgorithm.Ed25519, bytes, KeyBlobFormat.RawPublicKey, out var key)
                ? key
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
