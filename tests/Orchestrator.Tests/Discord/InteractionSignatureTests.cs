using System.Globalization;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using NSec.Cryptography;
using Orchestrator.Discord;

namespace Orchestrator.Tests.Discord;

public sealed class InteractionSignatureTests : IDisposable
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"type":1}""");
    private readonly Key _key = Key.Create(SignatureAlgorithm.Ed25519);
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-25T09:00:00Z", CultureInfo.InvariantCulture));

    public void Dispose() => _key.Dispose();

    [Fact]
    public void A_fresh_body_signed_with_the_application_key_verifies()
    {
        var (signature, timestamp) = Sign(_key, _clock.GetUtcNow());
        Assert.True(Verifier().Verify(signature, timestamp, Body));
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    [InlineData(-86400)]
    public void Timestamps_outside_the_replay_window_do_not_verify(int offsetSeconds)
    {
        var (signature, timestamp) = Sign(_key, _clock.GetUtcNow().AddSeconds(offsetSeconds));
        Assert.False(Verifier().Verify(signature, timestamp, Body));
    }

    [Theory]
    [InlineData(-299)]
    [InlineData(299)]
    public void Timestamps_inside_the_replay_window_verify(int offsetSeconds)
    {
        var (signature, timestamp) = Sign(_key, _clock.GetUtcNow().AddSeconds(offsetSeconds));
        Assert.True(Verifier().Verify(signature, timestamp, Body));
    }

    [Fact]
    public void A_signature_by_another_key_does_not_verify()
    {
        using var stranger = Key.Create(SignatureAlgorithm.Ed25519);
        var (signature, timestamp) = Sign(stranger, _clock.GetUtcNow());
        Assert.False(Verifier().Verify(signature, timestamp, Body));
    }

    [Fact]
    public void A_body_changed_after_signing_does_not_verify()
    {
        var (signature, timestamp) = Sign(_key, _clock.GetUtcNow());
        Assert.False(Verifier().Verify(signature, timestamp, Encoding.UTF8.GetBytes("""{"type":2}""")));
    }

    [Fact]
    public void A_signature_moved_to_another_timestamp_does_not_verify()
    {
        var (signature, timestamp) = Sign(_key, _clock.GetUtcNow());
        var other = (long.Parse(timestamp, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
        Assert.False(Verifier().Verify(signature, other, Body));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("abcd")]
    [InlineData("not-hex-not-hex-not-hex-not-hex-not-hex-not-hex-not-hex-not-hex-not-hex-not-hex-not-hex-not-hex-not-hex-not-hex-not-hex-not-")]
    public void Truncated_or_non_hex_signatures_do_not_verify(string? signature)
    {
        var (_, timestamp) = Sign(_key, _clock.GetUtcNow());
        Assert.False(Verifier().Verify(signature, timestamp, Body));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("-1764061200")]
    [InlineData("1764061200.5")]
    [InlineData("yesterday")]
    public void Malformed_timestamps_do_not_verify(string? timestamp)
    {
        var (signature, _) = Sign(_key, _clock.GetUtcNow());
        Assert.False(Verifier().Verify(signature, timestamp, Body));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0123")]
    [InlineData("zz0000000000000000000000000000000000000000000000000000000000000000")]
    public void An_invalid_public_key_leaves_the_verifier_unconfigured(string? publicKey)
    {
        var verifier = new InteractionSignature(publicKey, TimeSpan.FromMinutes(5), _clock);
        var (signature, timestamp) = Sign(_key, _clock.GetUtcNow());
        Assert.False(verifier.IsConfigured);
        Assert.False(verifier.Verify(signature, timestamp, Body));
    }

    private InteractionSignature Verifier() =>
        new(Convert.ToHexStringLower(_key.PublicKey.Export(KeyBlobFormat.RawPublicKey)), TimeSpan.FromMinutes(5), _clock);

    private static (string Signature, string Timestamp) Sign(Key key, DateTimeOffset at)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = SignatureAlgorithm.Ed25519.Sign(key, Encoding.UTF8.GetBytes(timestamp + Encoding.UTF8.GetString(Body)));
        return (Convert.ToHexStringLower(signature), timestamp);
    }
}
