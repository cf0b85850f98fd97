using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSec.Cryptography;
using Orchestrator.Discord;
using Orchestrator.GitHub;
using Orchestrator.Health;
using Orchestrator.Secrets;

namespace Orchestrator.Tests.Secrets;

/// <summary>Secrets rotated in Parameter Store reach the signature checks at the next reload, with no restart.</summary>
public sealed class SecretRotationTests : IDisposable
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"zen":"Design for failure."}""");
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-25T09:00:00Z", CultureInfo.InvariantCulture));
    private readonly FakeParameterStore _store;
    private readonly ServiceProvider _services;

    public SecretRotationTests()
    {
        (var client, _store) = FakeParameterStore.Create();
        _store.Parameters["/orchestrator/test/GitHub/WebhookSecrets"] = "old-secret";
        var configuration = new ConfigurationBuilder()
            .Add(new ParameterStoreConfigurationSource { Path = "/orchestrator/test/", ClientFactory = () => client, TimeProvider = _clock })
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<TimeProvider>(_clock);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddGitHub([]);
        services.AddDiscord([]);
        services.AddSingleton<ConfigurationReport>();
        _services = services.BuildServiceProvider();
    }

    [Fact]
    public async Task The_webhook_accepts_old_and_new_secret_during_a_rotation_then_only_the_new_one()
    {
        Assert.True(Verify("old-secret"));
        Assert.False(Verify("new-secret"));

        await RotateAsync("GitHub/WebhookSecrets", "new-secret,old-secret");
        Assert.True(Verify("new-secret"));
        Assert.True(Verify("old-secret"));

        await RotateAsync("GitHub/WebhookSecrets", "new-secret");
        Assert.True(Verify("new-secret"));
        Assert.False(Verify("old-secret"));
    }

    [Fact]
    public async Task A_new_Discord_public_key_is_used_without_a_restart()
    {
        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        var timestamp = _clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToHexStringLower(SignatureAlgorithm.Ed25519.Sign(key, Encoding.UTF8.GetBytes(timestamp).Concat(Body).ToArray()));
        Assert.False(_services.GetRequiredService<InteractionSignature>().IsConfigured);
        Assert.Contains(_services.GetRequiredService<ConfigurationReport>().Missing, m => m.Setting == "Orchestrator:Discord:PublicKey");

        await RotateAsync("Discord/PublicKey", Convert.ToHexStringLower(key.PublicKey.Export(KeyBlobFormat.RawPublicKey)));

        Assert.True(_services.GetRequiredService<InteractionSignature>().Verify(signature, timestamp, Body));
        Assert.DoesNotContain(_services.GetRequiredService<ConfigurationReport>().Missing, m => m.Setting == "Orchestrator:Discord:PublicKey");
    }

    public void Dispose() => _services.Dispose();

    private bool Verify(string secret) =>
        _services.GetRequiredService<WebhookSignature>().Verify(WebhookSignature.Sign(secret, Body), Body);

    private async Task RotateAsync(string name, string value)
    {
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = _services.GetRequiredService<IOptionsMonitor<GitHubOptions>>().OnChange(_ => changed.TrySetResult());
        _store.Parameters["/orchestrator/test/" + name] = value;
        _clock.Advance(new SecretsOptions().ReloadInterval);
        await changed.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }
}
