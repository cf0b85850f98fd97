using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Health;

public sealed class HealthEndpointTests
{
    [Fact]
    public async Task Liveness_and_readiness_answer_200_when_configured_and_the_store_is_reachable()
    {
        using var app = new AppFixture();
        using var client = app.CreateClient();

        using var live = await client.GetAsync("/healthz", TestContext.Current.CancellationToken);
        using var ready = await client.GetAsync("/readyz", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task Missing_settings_make_the_service_not_ready_and_are_logged_once_each_at_startup()
    {
        using var app = new AppFixture(new Dictionary<string, string?>
        {
            ["Orchestrator:Discord:PublicKey"] = null,
            ["Orchestrator:GitHub:WebhookSecrets"] = null,
            ["Orchestrator:Discord:BotToken"] = null,
            ["Orchestrator:GitHub:Token"] = null,
        });
        using var client = app.CreateClient();

        using var live = await client.GetAsync("/healthz", TestContext.Current.CancellationToken);
        using var ready = await client.GetAsync("/readyz", TestContext.Current.CancellationToken);
        var body = await ready.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("Orchestrator:Discord:PublicKey", body, StringComparison.Ordinal);
        Assert.Contains("Orchestrator:GitHub:WebhookSecrets", body, StringComparison.Ordinal);
        var warnings = app.Logs.Entries.Where(e => e.Level == LogLevel.Warning && e.Message.StartsWith("Not set: ", StringComparison.Ordinal)).ToList();
        Assert.Single(warnings, w => w.Message.Contains("Orchestrator:Discord:PublicKey", StringComparison.Ordinal));
        Assert.Single(warnings, w => w.Message.Contains("Orchestrator:GitHub:WebhookSecrets", StringComparison.Ordinal));
        Assert.Single(warnings, w => w.Message.Contains("Orchestrator:Discord:BotToken", StringComparison.Ordinal));
        Assert.Single(warnings, w => w.Message.Contains("Orchestrator:GitHub:Token", StringComparison.Ordinal));
        Assert.Equal(4, warnings.Count);
    }

    [Fact]
    public async Task The_version_endpoint_reports_the_informational_version()
    {
        using var app = new AppFixture();
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/version", TestContext.Current.CancellationToken);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("version").GetString()));
        Assert.True(json.RootElement.TryGetProperty("commit", out _));
    }

    [Fact]
    public async Task No_secret_or_signature_is_ever_logged()
    {
        using var app = new AppFixture();
        using var client = app.CreateClient();
        using var request = app.GitHubRequest("ping", """{"zen":"x","hook_id":1}""");
        var signature = request.Headers.GetValues("X-Hub-Signature-256").Single();

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.DoesNotContain(app.Logs.Entries, e => e.Message.Contains(app.WebhookSecret, StringComparison.Ordinal) || e.Message.Contains(signature, StringComparison.Ordinal));
    }
}
