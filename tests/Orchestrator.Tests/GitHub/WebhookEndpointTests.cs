using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Storage;
using Orchestrator.Tests.Infrastructure;
using Orchestrator.Workflow;

namespace Orchestrator.Tests.GitHub;

public sealed class WebhookEndpointTests(WebhookEndpointTests.Fixture app) : IClassFixture<WebhookEndpointTests.Fixture>
{
    private const string PingBody = """{"zen":"Design for failure.","hook_id":123456,"hook":{"type":"Repository","id":123456,"name":"web","active":true,"events":["*"],"config":{"content_type":"json","insecure_ssl":"0","url":"https://example.com/github/webhooks"},"updated_at":"2026-11-25T09:00:00Z","created_at":"2026-11-25T09:00:00Z","url":"https://api.github.com/repos/o/r/hooks/123456","test_url":"https://api.github.com/repos/o/r/hooks/123456/test","ping_url":"https://api.github.com/repos/o/r/hooks/123456/pings","deliveries_url":"https://api.github.com/repos/o/r/hooks/123456/deliveries","last_response":{"code":null,"status":"unused","message":null}}}""";

    [Fact]
    public async Task Ping_is_stored_and_answered_200()
    {
        var delivery = Guid.NewGuid().ToString();
        using var request = app.GitHubRequest("ping", PingBody, delivery);
        using var client = app.CreateClient();

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(await app.Services.GetRequiredService<IWebhookInbox>().GetAsync(delivery, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_delivery_no_route_acts_on_is_stored_for_replay_without_a_job()
    {
        // Arrange: workflow_job is published by GitHub and listed nowhere in the event table.
        var (eventName, action, json) = WebhookExamples.All.First(e => e.Event == "workflow_job");
        Assert.DoesNotContain(GitHubEventTable.All, r => r.Matches(eventName, action));
        var delivery = Guid.NewGuid().ToString();
        using var request = app.GitHubRequest(eventName, json, delivery);
        using var client = app.CreateClient();
        var jobs = app.Services.GetRequiredService<IJobQueue>();

        // Act
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        // Assert: stored byte for byte, answered "stored", and the inbox's job key is still free.
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Contains("\"stored\"", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        var stored = await app.Services.GetRequiredService<IWebhookInbox>().GetAsync(delivery, TestContext.Current.CancellationToken);
        Assert.NotNull(stored);
        Assert.Equal(json, Encoding.UTF8.GetString(stored.Payload));
        var enqueued = await jobs.EnqueueAsync(InboxJob.For(stored), TestContext.Current.CancellationToken);
        Assert.True(enqueued.Created, "the delivery already had a processing job");
    }

    [Fact]
    public async Task Every_published_example_payload_is_accepted_stored_and_processed_without_dead_letters()
    {
        // Arrange
        using var client = app.CreateClient();
        var inbox = app.Services.GetRequiredService<IWebhookInbox>();
        var deliveries = new List<string>();

        // Act
        foreach (var (eventName, _, json) in WebhookExamples.All)
        {
            var delivery = Guid.NewGuid().ToString();
            using var request = app.GitHubRequest(eventName, json, delivery);
            using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
            Assert.True(response.IsSuccessStatusCode, $"{eventName}: {(int)response.StatusCode}");
            deliveries.Add(delivery);
        }

        var processed = await app.DrainJobsAsync(TestContext.Current.CancellationToken);

        // Assert
        Assert.True(WebhookExamples.All.Count > 300, "the examples package should hold every event's examples");
        foreach (var delivery in deliveries)
        {
            Assert.NotNull(await inbox.GetAsync(delivery, TestContext.Current.CancellationToken));
        }

        var routed = WebhookExamples.All.Count(e => GitHubEventTable.All.Any(r => r.Matches(e.Event, e.Action)));
        Assert.True(processed >= routed, $"{processed} jobs for {routed} routed deliveries");
        var dead = await app.Services.GetRequiredService<IJobQueue>().ListDeadLetteredAsync(10, TestContext.Current.CancellationToken);
        Assert.True(dead.Count == 0, string.Join("\n", dead.Select(d => d.LastError)));
    }

    [Fact]
    public async Task A_duplicate_delivery_is_acknowledged_without_a_second_job()
    {
        var delivery = Guid.NewGuid().ToString();
        var body = WebhookExamples.Get("issues", "opened").ToJsonString();
        var queue = app.Services.GetRequiredService<IJobQueue>();
        using var client = app.CreateClient();

        using var first = await client.SendAsync(app.GitHubRequest("issues", body, delivery), TestContext.Current.CancellationToken);
        var before = await queue.GetStatsAsync(TestContext.Current.CancellationToken);
        using var second = await client.SendAsync(app.GitHubRequest("issues", body, delivery), TestContext.Current.CancellationToken);
        var after = await queue.GetStatsAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Contains("\"status\":\"duplicate\"", await second.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(before, after);
        Assert.Equal(1, (await app.Services.GetRequiredService<IOperatorStore>().GetDeliveryAsync(delivery, TestContext.Current.CancellationToken))!.Duplicates);
    }

    [Fact]
    public async Task Five_concurrent_copies_of_a_delivery_store_one_delivery_and_one_job()
    {
        var delivery = Guid.NewGuid().ToString();
        var body = WebhookExamples.Get("issues", "labeled").ToJsonString();
        var queue = app.Services.GetRequiredService<IJobQueue>();
        using var client = app.CreateClient();
        var before = await queue.GetStatsAsync(TestContext.Current.CancellationToken);

        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => client.SendAsync(app.GitHubRequest("issues", body, delivery), TestContext.Current.CancellationToken)));
        var after = await queue.GetStatsAsync(TestContext.Current.CancellationToken);

        Assert.All(responses, r => Assert.True(r.IsSuccessStatusCode));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Accepted);
        Assert.Equal(before.Pending + 1, after.Pending);
        var job = await queue.EnqueueAsync(InboxJob.For(new WebhookDelivery(delivery, "issues", "labeled", null, DateTimeOffset.UnixEpoch, [])), TestContext.Current.CancellationToken);
        Assert.False(job.Created);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("sha1=0123456789abcdef0123456789abcdef01234567")]
    [InlineData("sha256=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("sha256=abc")]
    public async Task Missing_sha1_only_or_wrong_signatures_are_refused(string? signature)
    {
        using var request = app.GitHubRequest("ping", PingBody);
        request.Headers.Remove("X-Hub-Signature-256");
        if (signature is not null)
        {
            request.Headers.Add(signature.StartsWith("sha1", StringComparison.Ordinal) ? "X-Hub-Signature" : "X-Hub-Signature-256", signature);
        }

        using var client = app.CreateClient();

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_payload_signed_with_another_secret_is_refused()
    {
        using var request = app.GitHubRequest("ping", PingBody, secret: "not-the-secret");
        using var client = app.CreateClient();

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("X-GitHub-Event")]
    [InlineData("X-GitHub-Delivery")]
    public async Task Missing_event_or_delivery_headers_are_a_bad_request(string header)
    {
        using var request = app.GitHubRequest("ping", PingBody);
        request.Headers.Remove(header);
        using var client = app.CreateClient();

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[1,2,3]")]
    [InlineData("")]
    public async Task A_signed_payload_that_is_not_a_json_object_is_a_bad_request(string body)
    {
        using var request = app.GitHubRequest("push", body);
        using var client = app.CreateClient();

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task A_payload_over_githubs_25_MB_cap_is_refused()
    {
        var body = Encoding.UTF8.GetBytes("{\"pad\":\"" + new string('x', (25 * 1024 * 1024) + 1) + "\"}");
        using var request = app.GitHubRequest("push", body);
        using var client = app.CreateClient();

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task A_large_payload_under_the_cap_is_stored_byte_for_byte()
    {
        var delivery = Guid.NewGuid().ToString();
        var body = Encoding.UTF8.GetBytes("{\"pad\":\"" + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3 * 1024 * 1024)) + "\"}");
        using var request = app.GitHubRequest("push", body, delivery);
        using var client = app.CreateClient();

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var stored = await app.Services.GetRequiredService<IWebhookInbox>().GetAsync(delivery, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(body, stored!.Payload);
    }

    [Fact]
    public async Task During_a_rotation_both_the_old_and_the_new_secret_are_accepted()
    {
        using var rotating = new AppFixture(new Dictionary<string, string?> { ["Orchestrator:GitHub:WebhookSecrets"] = "new-secret, old-secret" });
        using var client = rotating.CreateClient();

        using var withOld = await client.SendAsync(rotating.GitHubRequest("ping", PingBody, secret: "old-secret"), TestContext.Current.CancellationToken);
        using var withNew = await client.SendAsync(rotating.GitHubRequest("ping", PingBody, secret: "new-secret"), TestContext.Current.CancellationToken);
        using var withRetired = await client.SendAsync(rotating.GitHubRequest("ping", PingBody, secret: "retired-secret"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, withOld.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withNew.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, withRetired.StatusCode);
    }

    [Fact]
    public async Task Without_a_webhook_secret_the_endpoint_answers_503_and_stores_nothing()
    {
        using var unconfigured = new AppFixture(new Dictionary<string, string?> { ["Orchestrator:GitHub:WebhookSecrets"] = string.Empty });
        var delivery = Guid.NewGuid().ToString();
        using var client = unconfigured.CreateClient();

        using var response = await client.SendAsync(unconfigured.GitHubRequest("ping", PingBody, delivery, secret: string.Empty), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Null(await unconfigured.Services.GetRequiredService<IWebhookInbox>().GetAsync(delivery, TestContext.Current.CancellationToken));
    }

    public sealed class Fixture : AppFixture;
}

public sealed class WebhookStoreOutageTests
{
    [Fact]
    public async Task An_unwritable_store_answers_503_and_never_2xx()
    {
        // Arrange: the database's folder would have to be created under a regular file, which fails even as root.
        var blocker = Path.GetTempFileName();
        using var app = new AppFixture(new Dictionary<string, string?> { ["Orchestrator:Storage:Sqlite:Path"] = Path.Combine(blocker, "data", "orchestrator.db") });
        using var client = app.CreateClient();

        // Act
        using var response = await client.SendAsync(app.GitHubRequest("ping", """{"zen":"x","hook_id":1}"""), TestContext.Current.CancellationToken);
        using var ready = await client.GetAsync("/readyz", TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("Store unavailable", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        File.Delete(blocker);
    }
}
