using System.Net;
using System.Text;
using System.Text.Json;
using NSec.Cryptography;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Discord;

public sealed class InteractionEndpointTests(InteractionEndpointTests.Fixture app) : IClassFixture<InteractionEndpointTests.Fixture>
{
    private const string Ping = """{"type":1,"id":"1","application_id":"1100000000000000001","token":"t","version":1}""";

    [Theory]
    [InlineData(true, HttpStatusCode.OK)]
    [InlineData(false, HttpStatusCode.Unauthorized)]
    public async Task Ping_is_answered_only_when_signed_with_the_app_key(bool appKey, HttpStatusCode expected)
    {
        // Arrange
        using var stranger = Key.Create(SignatureAlgorithm.Ed25519);
        using var request = app.DiscordRequest(Ping, appKey ? null : stranger);
        using var client = app.CreateClient();

        // Act
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal(expected, response.StatusCode);
        if (appKey)
        {
            Assert.Equal("""{"type":1}""", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }
        else
        {
            Assert.Empty(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        }
    }

    [Fact]
    public async Task Lowercase_header_names_are_accepted()
    {
        using var signed = app.DiscordRequest(Ping);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/discord/interactions") { Content = signed.Content };
        request.Headers.TryAddWithoutValidation("x-signature-ed25519", signed.Headers.GetValues("X-Signature-Ed25519"));
        request.Headers.TryAddWithoutValidation("x-signature-timestamp", signed.Headers.GetValues("X-Signature-Timestamp"));
        using var client = app.CreateClient();

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(600)]
    public async Task Stale_or_future_timestamps_are_refused(int offsetSeconds)
    {
        using var request = app.DiscordRequest(Ping, at: app.Clock.GetUtcNow().AddSeconds(offsetSeconds));
        using var client = app.CreateClient();

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_body_changed_after_signing_is_refused()
    {
        using var signed = app.DiscordRequest(Ping);
        signed.Content = new StringContent(Ping.Replace("\"type\":1", "\"type\":2", StringComparison.Ordinal), Encoding.UTF8, "application/json");
        using var client = app.CreateClient();

        using var response = await client.SendAsync(signed, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("abc")]
    [InlineData("zzzz")]
    public async Task Missing_truncated_or_non_hex_signatures_are_refused(string? signature)
    {
        using var signed = app.DiscordRequest(Ping);
        signed.Headers.Remove("X-Signature-Ed25519");
        if (signature is not null)
        {
            signed.Headers.Add("X-Signature-Ed25519", signature);
        }

        using var client = app.CreateClient();

        using var response = await client.SendAsync(signed, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{"type":1}""")]
    [InlineData("""{"type":99,"id":"1","application_id":"2","token":"t"}""")]
    [InlineData("""{"type":2,"id":"1","application_id":"2","token":"t","data":{}}""")]
    [InlineData("""{"type":"ping","id":"1","application_id":"2"}""")]
    public async Task A_signed_body_that_is_not_an_interaction_is_a_bad_request(string body)
    {
        using var request = app.DiscordRequest(body);
        using var client = app.CreateClient();

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_oversized_body_is_refused_before_its_signature_is_checked()
    {
        using var request = app.DiscordRequest("{\"type\":1,\"pad\":\"" + new string('x', 300 * 1024) + "\"}");
        using var client = app.CreateClient();

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task An_unknown_command_gets_an_ephemeral_answer_not_an_error()
    {
        const string body = """{"type":2,"id":"5","application_id":"1100000000000000001","token":"tok","channel_id":"c1","data":{"id":"9","name":"moonshot","type":1},"user":{"id":"u1","username":"ada"}}""";
        using var request = app.DiscordRequest(body);
        using var client = app.CreateClient();

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(4, json.RootElement.GetProperty("type").GetInt32());
        Assert.Equal(64, json.RootElement.GetProperty("data").GetProperty("flags").GetInt32());
        Assert.Contains("moonshot", json.RootElement.GetProperty("data").GetProperty("content").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_every_command_of_the_table()
    {
        const string body = """{"type":2,"id":"6","application_id":"1100000000000000001","token":"tok","channel_id":"c1","data":{"id":"9","name":"help","type":1},"user":{"id":"u1","username":"ada"}}""";
        using var request = app.DiscordRequest(body);
        using var client = app.CreateClient();

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var content = json.RootElement.GetProperty("data").GetProperty("content").GetString()!;
        Assert.All(Orchestrator.Workflow.CommandTable.All, c => Assert.Contains("/" + c.Name, content, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_public_key_the_endpoint_answers_503_and_accepts_nothing()
    {
        using var unconfigured = new AppFixture(new Dictionary<string, string?> { ["Orchestrator:Discord:PublicKey"] = string.Empty });
        using var request = unconfigured.DiscordRequest(Ping);
        using var client = unconfigured.CreateClient();

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("Orchestrator:Discord:PublicKey", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Orchestrator:GitHub:Token", "Orchestrator:GitHub:Token")]
    [InlineData("Orchestrator:Discord:BotToken", "Orchestrator:Discord:BotToken")]
    public async Task Plan_without_the_credentials_it_needs_says_so_at_once(string unset, string named)
    {
        // Arrange: a configured repository, but one credential the plan needs is missing.
        using var unconfigured = new AppFixture(new Dictionary<string, string?>
        {
            [unset] = string.Empty,
            ["Orchestrator:Repositories:0:Name"] = "acme/app",
            ["Orchestrator:Repositories:0:Executor:Workflow"] = "agent.yml",
        });
        const string body = """{"type":2,"id":"7","application_id":"1100000000000000001","token":"tok","channel_id":"c1","data":{"id":"9","name":"plan","type":1},"user":{"id":"u1","username":"ada"}}""";
        using var request = unconfigured.DiscordRequest(body);
        using var client = unconfigured.CreateClient();

        // Act
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var queued = await unconfigured.DrainJobsAsync(TestContext.Current.CancellationToken);

        // Assert: answered now, only to the caller, naming the setting; no plan job that would retry a permanent error.
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(4, json.RootElement.GetProperty("type").GetInt32());
        Assert.Equal(64, json.RootElement.GetProperty("data").GetProperty("flags").GetInt32());
        Assert.Contains(named, json.RootElement.GetProperty("data").GetProperty("content").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, queued);
    }

    public sealed class Fixture : AppFixture;
}
