using System.Text;
using Orchestrator.GitHub;

namespace Orchestrator.Tests.GitHub;

public sealed class WebhookSignatureTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"zen":"Keep it logically awesome."}""");

    [Fact]
    public void A_body_signed_with_the_secret_verifies()
    {
        var signature = new WebhookSignature(["s3cret"]);
        Assert.True(signature.Verify(WebhookSignature.Sign("s3cret", Body), Body));
    }

    [Fact]
    public void Both_the_old_and_the_new_secret_verify_during_a_rotation()
    {
        var signature = new WebhookSignature(["new-secret", "old-secret"]);
        Assert.True(signature.Verify(WebhookSignature.Sign("old-secret", Body), Body));
        Assert.True(signature.Verify(WebhookSignature.Sign("new-secret", Body), Body));
        Assert.False(signature.Verify(WebhookSignature.Sign("retired-secret", Body), Body));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sha1=0123456789abcdef0123456789abcdef01234567")]
    [InlineData("sha256=")]
    [InlineData("sha256=zz23456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("sha256=0123456789abcdef")]
    public void Malformed_signature_headers_do_not_verify(string? header)
    {
        Assert.False(new WebhookSignature(["s3cret"]).Verify(header, Body));
    }

    [Fact]
    public void A_body_changed_after_signing_does_not_verify()
    {
        var header = WebhookSignature.Sign("s3cret", Body);
        var changed = (byte[])Body.Clone();
        changed[^3] ^= 1;
        Assert.False(new WebhookSignature(["s3cret"]).Verify(header, changed));
    }

    [Fact]
    public void Nothing_verifies_when_no_secret_is_configured()
    {
        var signature = new WebhookSignature([]);
        Assert.False(signature.IsConfigured);
        Assert.False(signature.Verify(WebhookSignature.Sign(string.Empty, Body), Body));
    }
}
