using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;

namespace Orchestrator.Tests.Fakes;

public sealed class GitHubFakeTests
{
    private const string Token = "ghp_fake_token_for_tests";

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-25T09:00:00Z", CultureInfo.InvariantCulture));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_request_without_credentials_is_refused_with_401()
    {
        // Arrange
        await using var fake = await StartAsync();
        fake.Repository("acme/app").AddIssue("One");
        using var anonymous = new HttpClient { BaseAddress = fake.BaseAddress };
        anonymous.DefaultRequestHeaders.UserAgent.ParseAdd("tests");

        // Act
        using var response = await anonymous.GetAsync("repos/acme/app/issues/1", Ct);

        // Assert
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Requires authentication", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Null(Assert.Single(fake.Requests).AuthorizationScheme);
    }

    [Fact]
    public async Task Issues_are_listed_by_label_in_pages_with_a_Link_header()
    {
        // Arrange
        await using var fake = await StartAsync();
        var repository = fake.Repository("acme/app");
        for (var i = 0; i < 5; i++)
        {
            repository.AddIssue($"Ready {i}", "body", "ready");
        }

        repository.AddIssue("Not ready");
        repository.AddPullRequest("A pull request", labels: "ready");
        using var client = Client(fake);

        // Act
        using var first = await client.GetAsync("repos/acme/app/issues?labels=ready&per_page=4", Ct);
        var next = first.Headers.GetValues("Link").Single().Split(", ").Single(l => l.EndsWith("rel=\"next\"", StringComparison.Ordinal));
        using var second = await client.GetAsync(new Uri(next[1..next.IndexOf('>', StringComparison.Ordinal)]), Ct);

        // Assert
        var page1 = JsonNode.Parse(await first.Content.ReadAsStringAsync(Ct))!.AsArray();
        var page2 = JsonNode.Parse(await second.Content.ReadAsStringAsync(Ct))!.AsArray();
        Assert.Equal(4, page1.Count);
        Assert.Equal(2, page2.Count);
        Assert.Single(page1.Concat(page2), i => i!["pull_request"] is not null); // GitHub lists pull requests as issues
        Assert.Contains("rel=\"last\"", first.Headers.GetValues("Link").Single(), StringComparison.Ordinal);
        Assert.False(second.Headers.TryGetValues("Link", out var links) && links.Single().Contains("rel=\"next\"", StringComparison.Ordinal));
        Assert.Equal("https://github.com/acme/app/issues/5", page1[1]!["html_url"]!.GetValue<string>());
        fake.AssertNoViolations();
    }

    [Fact]
    public async Task A_request_that_does_not_fit_the_description_is_answered_400_and_recorded()
    {
        // Arrange
        await using var fake = await StartAsync();
        fake.Repository("acme/app").AddIssue("One");
        using var client = Client(fake);

        // Act
        using var unknownParameter = await client.GetAsync("repos/acme/app/issues?label=ready", Ct);
        using var wrongBody = await client.PostAsync("repos/acme/app/issues/1/comments", Json("""{"text":"hi"}"""), Ct);
        using var unknownPath = await client.GetAsync("repos/acme/app/tickets", Ct);
        using var wrongMethod = await client.PutAsync("repos/acme/app/issues/1/comments", Json("""{"body":"hi"}"""), Ct);

        // Assert
        Assert.All(new[] { unknownParameter, wrongBody, unknownPath, wrongMethod }, r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
        var violations = fake.TakeViolations();
        Assert.Contains(violations, v => v.Contains("query parameter 'label' is not a parameter", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("required property 'body' is missing", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("no path template", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("PUT is not an operation", StringComparison.Ordinal));
        Assert.Empty(fake.Repository("acme/app").Issue(1).Comments);
        await Assert.ThrowsAsync<OpenApiViolationException>(async () =>
        {
            await using var other = await StartAsync();
            using var otherClient = Client(other);
            using var _ = await otherClient.GetAsync("repos/acme/app/issues?label=ready", Ct);
        });
    }

    [Fact]
    public async Task Comments_labels_assignees_and_closing_change_the_world_and_are_counted()
    {
        // Arrange
        await using var fake = await StartAsync();
        var issue = fake.Repository("acme/app").AddIssue("Fix it", null, "ready");
        using var client = Client(fake);

        // Act
        using var comment = await client.PostAsync("repos/acme/app/issues/1/comments", Json("""{"body":"On it <!-- orchestrator:k1 -->"}"""), Ct);
        using var labels = await client.PostAsync("repos/acme/app/issues/1/labels", Json("""{"labels":["in-progress"]}"""), Ct);
        using var assignees = await client.PostAsync("repos/acme/app/issues/1/assignees", Json("""{"assignees":["mona"]}"""), Ct);
        using var close = await client.PatchAsync("repos/acme/app/issues/1", Json("""{"state":"closed","state_reason":"completed"}"""), Ct);
        using var comments = await client.GetAsync("repos/acme/app/issues/1/comments", Ct);

        // Assert
        Assert.Equal(HttpStatusCode.Created, comment.StatusCode);
        Assert.NotNull(comment.Headers.Location);
        Assert.Equal(["ready", "in-progress"], issue.Labels);
        Assert.Equal(["mona"], issue.Assignees);
        Assert.Equal("closed", issue.State);
        Assert.Equal(_clock.GetUtcNow(), issue.ClosedAt);
        Assert.Contains("orchestrator:k1", await comments.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(1, fake.EffectCount("issues/create-comment"));
        Assert.Equal(1, fake.EffectCount("issues/update"));
        fake.AssertNoViolations();
    }

    [Fact]
    public async Task A_list_answers_304_to_a_matching_If_None_Match()
    {
        // Arrange
        await using var fake = await StartAsync();
        fake.Repository("acme/app").AddIssue("One", null, "ready");
        using var client = Client(fake);
        using var first = await client.GetAsync("repos/acme/app/issues?labels=ready", Ct);
        var etag = first.Headers.ETag!;

        // Act
        using var again = new HttpRequestMessage(HttpMethod.Get, "repos/acme/app/issues?labels=ready");
        again.Headers.IfNoneMatch.Add(etag);
        using var unchanged = await client.SendAsync(again, Ct);
        fake.Repository("acme/app").AddIssue("Two", null, "ready");
        using var afterChange = new HttpRequestMessage(HttpMethod.Get, "repos/acme/app/issues?labels=ready");
        afterChange.Headers.IfNoneMatch.Add(etag);
        using var changed = await client.SendAsync(afterChange, Ct);

        // Assert
        Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
        Assert.Empty(await unchanged.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        fake.AssertNoViolations();
    }

    [Fact]
    public async Task A_failure_after_handling_changes_the_world_but_answers_the_failure()
    {
        // Arrange
        await using var fake = await StartAsync();
        var issue = fake.Repository("acme/app").AddIssue("One");
        fake.FailNextAfterHandling(HttpMethod.Post, "/repos/{owner}/{repo}/issues/{issue_number}/comments", HttpStatusCode.BadGateway);
        using var client = Client(fake);

        // Act
        using var failed = await client.PostAsync("repos/acme/app/issues/1/comments", Json("""{"body":"hello"}"""), Ct);

        // Assert
        Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        Assert.Equal("hello", Assert.Single(issue.Comments).Body);
        Assert.Equal(1, fake.EffectCount("issues/create-comment"));
        fake.AssertNoViolations();
    }

    [Fact]
    public async Task Injected_failures_answer_first_then_the_world_answers()
    {
        // Arrange
        await using var fake = await StartAsync();
        fake.Repository("acme/app").AddIssue("One");
        fake.FailNext(HttpMethod.Get, "/repos/{owner}/{repo}/issues/{issue_number}", HttpStatusCode.BadGateway);
        fake.FailNextWithSecondaryRateLimit(HttpMethod.Get, "/repos/{owner}/{repo}/issues/{issue_number}", 7);
        fake.FailNextWithPrimaryRateLimit(HttpMethod.Get, "/repos/{owner}/{repo}/issues/{issue_number}", TimeSpan.FromMinutes(3));
        using var client = Client(fake);

        // Act
        using var bad = await client.GetAsync("repos/acme/app/issues/1", Ct);
        using var secondary = await client.GetAsync("repos/acme/app/issues/1", Ct);
        using var primary = await client.GetAsync("repos/acme/app/issues/1", Ct);
        using var good = await client.GetAsync("repos/acme/app/issues/1", Ct);

        // Assert
        Assert.Equal(HttpStatusCode.BadGateway, bad.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, secondary.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), secondary.Headers.RetryAfter!.Delta);
        Assert.Contains("secondary rate limit", await secondary.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal("0", primary.Headers.GetValues("x-ratelimit-remaining").Single());
        Assert.Equal(_clock.GetUtcNow().AddMinutes(3).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), primary.Headers.GetValues("x-ratelimit-reset").Single());
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        Assert.Equal([502, 403, 403, 200], fake.Requests.Select(r => r.Status));
        fake.AssertNoViolations();
    }

    [Fact]
    public async Task A_workflow_dispatch_creates_a_queued_run_named_by_its_run_name()
    {
        // Arrange
        await using var fake = await StartAsync();
        var repository = fake.Repository("acme/app");
        repository.AddWorkflow("deliver.yml", "Deliver", "Deliver ${{ inputs.issue }} [${{ inputs.correlation_id }}]", "issue", "correlation_id");
        using var client = Client(fake);

        // Act
        using var dispatch = await client.PostAsync(
            "repos/acme/app/actions/workflows/deliver.yml/dispatches",
            Json("""{"ref":"main","inputs":{"issue":"12","correlation_id":"c-42"}}"""),
            Ct);
        using var unexpected = await client.PostAsync(
            "repos/acme/app/actions/workflows/deliver.yml/dispatches",
            Json("""{"ref":"main","inputs":{"other":"x"}}"""),
            Ct);
        _clock.Advance(TimeSpan.FromMinutes(1));
        using var runs = await client.GetAsync("repos/acme/app/actions/workflows/deliver.yml/runs?event=workflow_dispatch&created=%3E%3D2026-11-25T08:59:00Z&per_page=10", Ct);
        using var none = await client.GetAsync("repos/acme/app/actions/workflows/deliver.yml/runs?created=%3E%3D2026-11-25T09:00:30Z", Ct);

        // Assert
        Assert.Equal(HttpStatusCode.NoContent, dispatch.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unexpected.StatusCode);
        var run = JsonNode.Parse(await runs.Content.ReadAsStringAsync(Ct))!["workflow_runs"]!.AsArray().Single()!;
        Assert.Equal("Deliver 12 [c-42]", run["display_title"]!.GetValue<string>());
        Assert.Equal("queued", run["status"]!.GetValue<string>());
        Assert.Equal(0, JsonNode.Parse(await none.Content.ReadAsStringAsync(Ct))!["total_count"]!.GetValue<int>());
        Assert.Equal(1, fake.EffectCount("actions/create-workflow-dispatch"));
        fake.AssertNoViolations();
    }

    [Fact]
    public async Task An_App_JWT_buys_an_installation_token_that_works_until_it_expires()
    {
        // Arrange
        await using var fake = await StartAsync();
        fake.Repository("acme/app").AddIssue("One");
        using var key = RSA.Create(2048);
        fake.RegisterApp(314, key.ExportSubjectPublicKeyInfoPem());
        fake.AddInstallation(2718, 314, "acme/app");
        using var client = new HttpClient { BaseAddress = fake.BaseAddress };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("tests");
        var jwt = Jwt(key, 314, _clock.GetUtcNow());

        // Act
        using var installation = await Send(client, HttpMethod.Get, "repos/acme/app/installation", "Bearer", jwt);
        using var tokenResponse = await Send(client, HttpMethod.Post, "app/installations/2718/access_tokens", "Bearer", jwt);
        var token = JsonNode.Parse(await tokenResponse.Content.ReadAsStringAsync(Ct))!["token"]!.GetValue<string>();
        using var withToken = await Send(client, HttpMethod.Get, "repos/acme/app/issues/1", "token", token);
        using var otherRepository = await Send(client, HttpMethod.Get, "repos/acme/other/issues/1", "token", token);
        using var wrongKey = RSA.Create(2048);
        using var forged = await Send(client, HttpMethod.Post, "app/installations/2718/access_tokens", "Bearer", Jwt(wrongKey, 314, _clock.GetUtcNow()));
        _clock.Advance(TimeSpan.FromMinutes(61));
        using var expired = await Send(client, HttpMethod.Get, "repos/acme/app/issues/1", "token", token);
        using var staleJwt = await Send(client, HttpMethod.Post, "app/installations/2718/access_tokens", "Bearer", jwt);

        // Assert
        Assert.Equal(HttpStatusCode.OK, installation.StatusCode);
        Assert.Equal(2718, JsonNode.Parse(await installation.Content.ReadAsStringAsync(Ct))!["id"]!.GetValue<long>());
        Assert.Equal(HttpStatusCode.Created, tokenResponse.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withToken.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherRepository.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, staleJwt.StatusCode);
        Assert.Single(fake.IssuedTokens);
        Assert.DoesNotContain(fake.Requests, r => r.Headers.ContainsKey("Authorization"));
        fake.AssertNoViolations();
    }

    [Fact]
    public async Task Pull_requests_are_served_from_the_same_world()
    {
        // Arrange
        await using var fake = await StartAsync();
        var repository = fake.Repository("acme/app");
        repository.AddIssue("Issue");
        var pull = repository.AddPullRequest("Fix #1", head: "fix-1");
        pull.Draft = true;
        using var client = Client(fake);

        // Act
        using var list = await client.GetAsync("repos/acme/app/pulls?state=open&head=acme:fix-1", Ct);
        using var single = await client.GetAsync("repos/acme/app/pulls/2", Ct);
        using var notAPull = await client.GetAsync("repos/acme/app/pulls/1", Ct);

        // Assert
        Assert.Equal(2, JsonNode.Parse(await list.Content.ReadAsStringAsync(Ct))!.AsArray().Single()!["number"]!.GetValue<int>());
        var json = JsonNode.Parse(await single.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal("fix-1", json["head"]!["ref"]!.GetValue<string>());
        Assert.True(json["draft"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.NotFound, notAPull.StatusCode);
        fake.AssertNoViolations();
    }

    internal static string Jwt(RSA key, long appId, DateTimeOffset now)
    {
        static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var header = B64(Encoding.UTF8.GetBytes("""{"alg":"RS256","typ":"JWT"}"""));
        var payload = B64(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iat"] = now.AddSeconds(-60).ToUnixTimeSeconds(),
            ["exp"] = now.AddMinutes(9).ToUnixTimeSeconds(),
            ["iss"] = appId.ToString(CultureInfo.InvariantCulture),
        }));
        var signature = key.SignData(Encoding.ASCII.GetBytes(header + "." + payload), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{header}.{payload}.{B64(signature)}";
    }

    private static async Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, string path, string scheme, string credential)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue(scheme, credential);
        return await client.SendAsync(request, Ct);
    }

    private async Task<GitHubFake> StartAsync()
    {
        var fake = await GitHubFake.StartAsync(_clock, Ct);
        fake.AddToken(Token);
        return fake;
    }

    private static HttpClient Client(GitHubFake fake)
    {
        var client = new HttpClient { BaseAddress = fake.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        client.DefaultRequestHeaders.UserAgent.ParseAdd("orchestrator-tests");
        client.DefaultRequestHeaders.Accept.ParseAdd("application/vnd.github+json");
        return client;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
