using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orchestrator.GitHub;
using Orchestrator.Tests.Fakes;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.GitHub;

/// <summary>
/// The GitHub client as the service registers it (AddGitHub: Octokit over the "GitHub" HttpClient and its
/// retries) against <see cref="GitHubFake"/>, which checks every request and answer against GitHub's OpenAPI
/// description: disposing the fake fails the test on any violation.
/// </summary>
public sealed class GitHubApiTests : IDisposable
{
    private const string Token = "ghp_orchestrator_test_token";
    private const string Repo = "acme/app";

    private readonly SkippingTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-25T09:00:00Z", CultureInfo.InvariantCulture));
    private readonly CapturedLogs _logs = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _logs.Dispose();

    [Fact]
    public async Task Listing_230_labelled_issues_takes_3_calls_and_leaves_pull_requests_out()
    {
        // Arrange
        await using var fake = await StartFakeAsync();
        var repository = fake.Repository(Repo);
        for (var i = 0; i < 230; i++)
        {
            repository.AddIssue($"Issue {i}", "body", "ready");
            if (i % 50 == 0)
            {
                repository.AddPullRequest($"PR {i}", labels: "ready");
                repository.AddIssue($"Backlog {i}");
            }
        }

        await using var services = Services(fake, ("Token", Token));
        var api = services.GetRequiredService<IGitHubApi>();

        // Act
        var issues = await api.ListIssuesWithLabelAsync(Repo, "ready", 1000, Ct);
        var firstTen = await api.ListIssuesWithLabelAsync(Repo, "ready", 10, Ct);

        // Assert
        Assert.Equal(230, issues.Count);
        Assert.Equal(230, issues.Select(i => i.Number).Distinct().Count());
        Assert.All(issues, i => Assert.DoesNotContain("PR", i.Title, StringComparison.Ordinal));
        Assert.All(issues, i => Assert.Equal(["ready"], i.Labels));
        Assert.Equal(new Uri($"https://github.com/{Repo}/issues/{issues[0].Number}"), issues[0].HtmlUrl);
        Assert.Equal(10, firstTen.Count);
        Assert.Equal(4, fake.RequestsTo("issues/list-for-repo").Count); // 3 pages of 100, then one page for the first ten
        Assert.Contains("per_page=100", fake.RequestsTo("issues/list-for-repo")[^1].Query, StringComparison.Ordinal);
        Assert.Equal(issues.Take(10).Select(i => i.Number), firstTen.Select(i => i.Number));
    }

    [Fact]
    public async Task A_token_is_sent_on_every_call_and_a_wrong_one_fails_clearly()
    {
        // Arrange
        await using var fake = await StartFakeAsync();
        fake.Repository(Repo).AddIssue("Fix it", null, "ready");
        await using var services = Services(fake, ("Token", Token));
        await using var wrong = Services(fake, ("Token", "ghp_wrong"));

        // Act
        var issue = await services.GetRequiredService<IGitHubApi>().GetIssueAsync(Repo, 1, Ct);
        var refused = await Assert.ThrowsAsync<GitHubApiException>(() => wrong.GetRequiredService<IGitHubApi>().GetIssueAsync(Repo, 1, Ct));

        // Assert
        Assert.Equal("Fix it", issue!.Title);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.Status);
        Assert.All(fake.Requests, r => Assert.Equal("Bearer", r.AuthorizationScheme));
        Assert.Equal(2, fake.Requests.Count); // a 401 is not retried
    }

    [Fact]
    public async Task An_App_finds_its_installation_and_reuses_its_token_until_five_minutes_before_expiry()
    {
        // Arrange
        await using var fake = await StartFakeAsync();
        fake.Repository(Repo).AddIssue("Fix it");
        using var key = RSA.Create(2048);
        fake.RegisterApp(123456, key.ExportSubjectPublicKeyInfoPem());
        fake.AddInstallation(987, 123456, Repo);
        await using var services = Services(fake, ("AppId", "123456"), ("AppPrivateKey", key.ExportRSAPrivateKeyPem()));
        var api = services.GetRequiredService<IGitHubApi>();

        // Act
        await api.GetIssueAsync(Repo, 1, Ct);
        await api.GetIssueAsync(Repo, 1, Ct);
        _clock.Advance(TimeSpan.FromMinutes(54));
        await api.GetIssueAsync(Repo, 1, Ct);
        _clock.Advance(TimeSpan.FromMinutes(2)); // 56 minutes: within five minutes of the token's hour
        await api.GetIssueAsync(Repo, 1, Ct);

        // Assert
        Assert.Single(fake.RequestsTo("apps/get-repo-installation"));
        Assert.Equal(2, fake.IssuedTokens.Count);
        Assert.Equal(4, fake.RequestsTo("issues/get").Count);
        // Each token's first read is answered in full; a repeat with the same token is conditional (304, no rate limit).
        Assert.Equal([200, 304, 304, 200], fake.RequestsTo("issues/get").Select(r => r.Status)); // the fourth read is the new token's first
    }

    [Fact]
    public async Task A_configured_installation_id_skips_the_lookup()
    {
        // Arrange
        await using var fake = await StartFakeAsync();
        fake.Repository(Repo).AddIssue("Fix it");
        using var key = RSA.Create(2048);
        fake.RegisterApp(123456, key.ExportSubjectPublicKeyInfoPem());
        fake.AddInstallation(987, 123456, Repo);

        // An environment variable holds the key on one line with literal \n sequences.
        await using var services = Services(fake, ("AppId", "123456"), ("AppPrivateKey", key.ExportPkcs8PrivateKeyPem().Replace("\n", "\\n", StringComparison.Ordinal)), ("InstallationId", "987"));

        // Act
        var issue = await services.GetRequiredService<IGitHubApi>().GetIssueAsync(Repo, 1, Ct);

        // Assert
        Assert.NotNull(issue);
        Assert.Empty(fake.RequestsTo("apps/get-repo-installation"));
        Assert.Single(fake.IssuedTokens);
    }

    [Fact]
    public async Task A_502_on_a_read_is_retried_and_then_succeeds()
    {
        // Arrange
        await using var fake = await StartFakeAsync();
        fake.Repository(Repo).AddIssue("Fix it");
        fake.FailNext(HttpMethod.Get, "/repos/{owner}/{repo}/issues/{issue_number}", HttpStatusCode.BadGateway);
        await using var services = Services(fake, ("Token", Token));

        // Act
        var issue = await services.GetRequiredService<IGitHubApi>().GetIssueAsync(Repo, 1, Ct);

        // Assert
        Assert.NotNull(issue);
        Assert.Equal([502, 200], fake.RequestsTo("issues/get").Select(r => r.Status));
        var delay = Assert.Single(_clock.Delays);
        Assert.InRange(delay, TimeSpan.FromSeconds(0.8), TimeSpan.FromSeconds(1.2));
    }

    [Fact]
    public async Task A_502_on_a_POST_is_not_retried_because_the_comment_may_exist()
    {
        // Arrange
        await using var fake = await StartFakeAsync();
        fake.Repository(Repo).AddIssue("Fix it");
        fake.FailNext(HttpMethod.Post, "/repos/{owner}/{repo}/issues/{issue_number}/comments", HttpStatusCode.BadGateway);
        await using var services = Services(fake, ("Token", Token));

        // Act
        var failure = await Assert.ThrowsAsync<GitHubApiException>(() => services.GetRequiredService<IGitHubApi>().CreateCommentAsync(Repo, 1, "Done", Ct));

        // Assert
        Assert.Equal(HttpStatusCode.BadGateway, failure.Status);
        Assert.Single(fake.RequestsTo("issues/create-comment"));
        Assert.Empty(_clock.Delays);
    }

    [Fact]
    public async Task A_429_with_Retry_After_is_retried_after_that_delay_even_for_a_POST()
    {
        // Arrange
        await using var fake = await StartFakeAsync();
        var issue = fake.Repository(Repo).AddIssue("Fix it");
        fake.FailNext(HttpMethod.Post, "/repos/{owner}/{repo}/issues/{issue_number}/comments", HttpStatusCode.TooManyRequests, new Dictionary<string, string> { ["Retry-After"] = "3" });
        await using var services = Services(fake, ("Token", Token));

        // Act
        var comment = await services.GetRequiredService<IGitHubApi>().CreateCommentAsync(Repo, 1, "Done <!-- orchestrator:close:1 -->", Ct);

        // Assert
        Assert.Equal("Done <!-- orchestrator:close:1 -->", comment.Body);
        Assert.Equal([TimeSpan.FromSeconds(3)], _clock.Delays);
        Assert.Single(issue.Comments);
        Assert.Equal(1, fake.EffectCount("issues/create-comment"));
    }

    [Fact]
    public async Task A_secondary_rate_limit_is_waited_out_before_the_dispatch_is_sent_once()
    {
        // Arrange
        await using var fake = await StartFakeAsync();
        fake.Repository(Repo).AddWorkflow("deliver.yml", "Deliver", "Deliver ${{ inputs.correlation_id }}", "correlation_id");
        fake.FailNextWithSecondaryRateLimit(HttpMethod.Post, "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches", 7);
        await using var services = Services(fake, ("Token", Token));

        // Act
        await services.GetRequiredService<IGitHubApi>().DispatchWorkflowAsync(Repo, "deliver.yml", "main", new Dictionary<string, string> { ["correlation_id"] = "c-1" }, Ct);

        // Assert
        Assert.Equal([TimeSpan.FromSeconds(7)], _clock.Delays);
        Assert.Equal(1, fake.EffectCount("actions/create-workflow-dispatch"));
        Assert.Single(fake.Repository(Repo).Runs);
    }

    [Fact]
    public async Task A_secondary_rate_limit_without_headers_is_told_by_its_message()
    {
        // Arrange
        await using var fake = await StartFakeAsync();
        fake.Repository(Repo).AddIssue("Fix it");
        fake.FailNext(HttpMethod.Get, "/repos/{owner}/{repo}/issues/{issue_number}", HttpStatusCode.Forbidden, body: new System.Text.Json.Nodes.JsonObject
        {
            ["message"] = "You have exceeded a secondary rate limit and have been temporarily blocked from content creation.",
            ["documentation_url"] = "https://docs.github.com/rest",
        });
        await using var services = Services(fake, ("Token", Token));

        // Act
        var issue = await services.GetRequiredService<IGitHubApi>().GetIssueAsync(Repo, 1, Ct);

        // Assert
        Assert.NotNull(issue);
        Assert.Equal([TimeSpan.FromMinutes(1)], _clock.Delays);
    }

    [Fact]
    public async Task A_primary_rate_limit_is_waited_out_when_it_resets_soon()
    {
        // Arrange
        await using var fake = await StartFakeAsync();
        fake.Repository(Repo).AddIssue("Fix it");
        fake.FailNextWithPrimaryRateLimit(HttpMethod.Get, "/repos/{owner}/{repo}/issues/{issue_number}", TimeSpan.FromSeconds(20));
        await using var services = Services(fake, ("Token", Token));

        // Act
        var issue = await services.GetRequiredService<IGitHubApi>().GetIssueAsync(Repo, 1, Ct);

        // Assert
        Assert.NotNull(issue);
        Assert.Equal([TimeSpan.FromSeconds(21)], _clock.Delays);
    }

    [Fact]
    public async Task A_primary_rate_limit_that_resets_late_fails_at_once_with_the_reset_time()
    {
        // Arrange
        await using var fake = await StartFakeAsync();
        fake.Repository(Repo).AddIssue("Fix it");
        fake.FailNextWithPrimaryRateLimit(HttpMethod.Get, "/repos/{owner}/{repo}/issues/{issue_number}", TimeSpan.FromMinutes(30));
        await using var services = Services(fake, ("Token", Token));

        // Act
        var failure = await Assert.ThrowsAsync<GitHubApiException>(() => services.GetRequiredService<IGitHubApi>().GetIssueAsync(Repo, 1, Ct));

        // Assert
        Assert.True(failure.IsRateLimit);
        Assert.Equal(_clock.GetUtcNow().AddMinutes(30), failure.RetryAt);
        Assert.Single(fake.RequestsTo("issues/get"));
        Assert.Empty(_clock.Delays);
    }

    [Fact]
    public async Task A_secondary_rate_limit_longer_than_the_client_waits_fails_with_GitHubs_Retry_After()
    {
        // Arrange
        await using var fake = await StartFakeAsync();
        fake.Repository(Repo).AddIssue("Fix it");
        fake.FailNextWithSecondaryRateLimit(HttpMethod.Patch, "/repos/{owner}/{repo}/issues/{issue_number}", 150);
        await using var services = Services(fake, ("Token", Token));

        // Act
        var failure = await Assert.ThrowsAsync<GitHubApiException>(() => services.GetRequiredService<IGitHubApi>().CloseIssueAsync(Repo, 1, null, Ct));

        // Assert: the job that retries waits what GitHub asked for, not the one minute meant for a limit without Retry-After
        Assert.True(failure.IsRateLimit);
        Assert.Equal(_clock.GetUtcNow().AddSeconds(150), failure.RetryAt);
        Assert.Empty(_clock.Delays);
        Assert.Equal("open", fake.Repository(Repo).Issue(1).State);
    }

    [Fact]
    public async Task Retries_stop_when_the_total_wait_would_pass_its_bound()
    {
        // Arrange
        await using var fake = await StartFakeAsync();
        fake.Repository(Repo).AddIssue("Fix it");
        fake.FailNext(HttpMethod.Get, "/repos/{owner}/{repo}/issues/{issue_number}", HttpStatusCode.TooManyRequests, new Dictionary<string, string> { ["Retry-After"] = "50" }, count: 5);
        await using var services = Services(fake, ("Token", Token));

        // Act
        var failure = await Assert.ThrowsAsync<GitHubApiException>(() => services.GetRequiredService<IGitHubApi>().GetIssueAsync(Repo, 1, Ct));

        // Assert: 50 s fits the 90 s budget once, not twice
        Assert.Equal((HttpStatusCode)429, failure.Status);
        Assert.Equal([TimeSpan.FromSeconds(50)], _clock.Delays);
        Assert.Equal(2, fake.RequestsTo("issues/get").Count);
    }

    [Fact]
    public async Task Polling_an_unchanged_list_is_a_conditional_request_answered_304()
    {
        // Arrange
        await using var fake = await StartFakeAsync();
        var repository = fake.Repository(Repo);
        repository.AddWorkflow("deploy.yml", "Deploy", "Deploy ${{ inputs.correlation_id }}", "correlation_id");
        await using var services = Services(fake, ("Token", Token));
        var api = services.GetRequiredService<IGitHubApi>();
        await api.DispatchWorkflowAsync(Repo, "deploy.yml", "main", new Dictionary<string, string> { ["correlation_id"] = "c-1" }, Ct);

        // Act
        var first = await api.ListWorkflowRunsAsync(Repo, "deploy.yml", 5, Ct);
        var second = await api.ListWorkflowRunsAsync(Repo, "deploy.yml", 5, Ct);
        await api.DispatchWorkflowAsync(Repo, "deploy.yml", "main", new Dictionary<string, string> { ["correlation_id"] = "c-2" }, Ct);
        var third = await api.ListWorkflowRunsAsync(Repo, "deploy.yml", 5, Ct);

        // Assert
        var requests = fake.RequestsTo("actions/list-workflow-runs");
        Assert.Equal(3, requests.Count);
        Assert.False(requests[0].Headers.ContainsKey("If-None-Match"));
        Assert.True(requests[1].Headers.ContainsKey("If-None-Match"));
        Assert.Equal([200, 304, 200], requests.Select(r => r.Status));
        Assert.Equal(first, second);
        Assert.Equal(2, third.Count);
    }

    [Fact]
    public async Task A_dispatched_run_is_found_by_the_correlation_id_in_its_run_name()
    {
        // Arrange
        await using var fake = await StartFakeAsync();
        var repository = fake.Repository(Repo);
        repository.AddWorkflow("deliver.yml", "Deliver", "Deliver #${{ inputs.issue }} (${{ inputs.correlation_id }})", "issue", "correlation_id");
        await using var services = Services(fake, ("Token", Token));
        var api = services.GetRequiredService<IGitHubApi>();
        var before = _clock.GetUtcNow();
        await api.DispatchWorkflowAsync(Repo, "deliver.yml", "main", new Dictionary<string, string> { ["issue"] = "7", ["correlation_id"] = "run-1:7" }, Ct);
        _clock.Advance(TimeSpan.FromSeconds(30));
        await api.DispatchWorkflowAsync(Repo, "deliver.yml", "main", new Dictionary<string, string> { ["issue"] = "8", ["correlation_id"] = "run-1:8" }, Ct);

        // Act
        var found = await api.FindWorkflowRunAsync(Repo, "deliver.yml", "run-1:7", before, Ct);
        var missing = await api.FindWorkflowRunAsync(Repo, "deliver.yml", "run-2:7", before, Ct);
        var tooEarly = await api.FindWorkflowRunAsync(Repo, "deliver.yml", "run-1:7", before.AddSeconds(10), Ct);
        var again = await api.GetWorkflowRunAsync(Repo, found!.Id, Ct);
        var latest = await api.ListWorkflowRunsAsync(Repo, "deliver.yml", 1, Ct);

        // Assert
        Assert.Equal("Deliver #7 (run-1:7)", found.DisplayTitle);
        Assert.Equal("queued", found.Status);
        Assert.Equal("workflow_dispatch", found.Event);
        Assert.Null(missing);
        Assert.Null(tooEarly);
        Assert.Equal(found, again);
        Assert.Equal("Deliver #8 (run-1:8)", Assert.Single(latest).DisplayTitle);
        Assert.Contains("created=%3E%3D2026-11-25T09%3A00%3A00Z", fake.RequestsTo("actions/list-workflow-runs")[0].Query, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(2, fake.EffectCount("actions/create-workflow-dispatch"));
    }

    [Fact]
    public async Task Closing_an_issue_comments_first_and_the_marker_is_found_afterwards()
    {
        // Arrange
        await using var fake = await StartFakeAsync();
        var issue = fake.Repository(Repo).AddIssue("Fix it", null, "ready");
        await using var services = Services(fake, ("Token", Token));
        var api = services.GetRequiredService<IGitHubApi>();

        // Act
        await api.AddAssigneesAsync(Repo, 1, ["mona"], Ct);
        await api.AddLabelsAsync(Repo, 1, ["in-progress", "bot"], Ct);
        await api.CloseIssueAsync(Repo, 1, "Shipped in run 1 <!-- orchestrator:close:1 -->", Ct);
        var comments = await api.ListCommentsAsync(Repo, 1, Ct);
        var closed = await api.GetIssueAsync(Repo, 1, Ct);

        // Assert
        var writes = fake.Requests.Where(r => r.Method != "GET").Select(r => r.OperationId).ToList();
        Assert.Equal(["issues/add-assignees", "issues/add-labels", "issues/create-comment", "issues/update"], writes);
        Assert.Contains("\"labels\":[\"in-progress\",\"bot\"]", fake.RequestsTo("issues/add-labels")[0].Body, StringComparison.Ordinal);
        Assert.Contains(comments, c => c.Body.Contains("<!-- orchestrator:close:1 -->", StringComparison.Ordinal));
        Assert.Equal("closed", closed!.State);
        Assert.Equal(["mona"], closed.Assignees);
        Assert.Equal(["ready", "in-progress", "bot"], issue.Labels);
        Assert.Equal("completed", issue.StateReason);
    }

    [Fact]
    public async Task Pull_requests_are_read_and_are_not_issues()
    {
        // Arrange
        await using var fake = await StartFakeAsync();
        var repository = fake.Repository(Repo);
        repository.AddIssue("Fix it");
        repository.AddPullRequest("Fix #1", head: "fix-1").Merge(_clock.GetUtcNow());
        await using var services = Services(fake, ("Token", Token));
        var api = services.GetRequiredService<IGitHubApi>();

        // Act
        var pull = await api.GetPullRequestAsync(Repo, 2, Ct);
        var asIssue = await api.GetIssueAsync(Repo, 2, Ct);
        var missing = await api.GetIssueAsync(Repo, 99, Ct);
        var missingPull = await api.GetPullRequestAsync(Repo, 1, Ct);

        // Assert
        Assert.Equal("fix-1", pull!.HeadRef);
        Assert.Equal("main", pull.BaseRef);
        Assert.True(pull.Merged);
        Assert.Equal("closed", pull.State);
        Assert.Equal(_clock.GetUtcNow(), pull.MergedAt);
        Assert.Null(asIssue);
        Assert.Null(missing);
        Assert.Null(missingPull);
    }

    [Fact]
    public async Task Without_credentials_the_client_says_which_settings_are_missing()
    {
        // Arrange
        await using var fake = await StartFakeAsync();
        await using var services = Services(fake);

        // Act
        var failure = await Assert.ThrowsAsync<GitHubNotConfiguredException>(() => services.GetRequiredService<IGitHubApi>().GetIssueAsync(Repo, 1, Ct));

        // Assert
        Assert.Contains("Orchestrator:GitHub:Token", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Orchestrator:GitHub:AppPrivateKey", failure.Message, StringComparison.Ordinal);
        Assert.Empty(fake.Requests);
    }

    [Fact]
    public async Task Secrets_are_never_logged()
    {
        // Arrange
        await using var fake = await StartFakeAsync();
        fake.Repository(Repo).AddIssue("Fix it");
        fake.FailNext(HttpMethod.Get, "/repos/{owner}/{repo}/issues/{issue_number}", HttpStatusCode.BadGateway);
        using var key = RSA.Create(2048);
        var pem = key.ExportRSAPrivateKeyPem();
        fake.RegisterApp(123456, key.ExportSubjectPublicKeyInfoPem());
        fake.AddInstallation(987, 123456, Repo);
        await using var services = Services(fake, ("AppId", "123456"), ("AppPrivateKey", pem));

        // Act
        await services.GetRequiredService<IGitHubApi>().GetIssueAsync(Repo, 1, Ct);

        // Assert
        var token = Assert.Single(fake.IssuedTokens).Token;
        var logs = string.Join('\n', _logs.Lines);
        Assert.Contains("renewed", logs, StringComparison.Ordinal);
        Assert.Contains("attempt 1", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(token, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(pem.Split('\n')[1], logs, StringComparison.Ordinal);
        Assert.DoesNotContain(token, services.GetRequiredService<Microsoft.Extensions.Options.IOptions<GitHubOptions>>().Value.ToString(), StringComparison.Ordinal);
    }

    private async Task<GitHubFake> StartFakeAsync()
    {
        var fake = await GitHubFake.StartAsync(_clock, Ct);
        fake.AddToken(Token);
        return fake;
    }

    private ServiceProvider Services(GitHubFake fake, params (string Key, string Value)[] settings)
    {
        var values = new Dictionary<string, string?>
        {
            [$"{GitHubOptions.Section}:ApiBaseUrl"] = fake.BaseAddress.ToString(),
        };
        foreach (var (key, value) in settings)
        {
            values[$"{GitHubOptions.Section}:{key}"] = value;
        }

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        services.AddLogging(logging => logging.AddProvider(_logs).SetMinimumLevel(LogLevel.Debug));
        services.AddSingleton<TimeProvider>(_clock);
        services.AddGitHub([]);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = false, ValidateScopes = true });
    }
}
