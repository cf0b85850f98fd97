using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Orchestrator.Storage;
using Orchestrator.Tests.Drivers;
using Orchestrator.Tests.Fakes;
using Orchestrator.Tests.Pages;

namespace Orchestrator.Tests.Operations;

/// <summary>
/// The dashboard in Debian's chromium (Playwright through ExecutablePath, never its own browser download), against the
/// service on a real port, signing in through the GitHub OAuth fake and checking users and teams against the
/// OpenAPI-checked GitHub fake. One screenshot per page is saved under the test results directory.
/// </summary>
public sealed class DashboardTests : IAsyncLifetime
{
    private const string ClientId = "Iv1.dashboardtest0001";
    private const string Chromium = "/usr/bin/chromium";
    private static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "TestResults", "dashboard");

    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install -y chromium (the test project's build does it as root).");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Args = ["--no-sandbox"], Headless = true });
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    [Fact]
    public async Task An_allowed_user_signs_in_sees_runs_and_dead_letters_and_retries_one()
    {
        // Arrange: a run in progress and a delivery that could not be processed (a dead letter).
        await using var world = await DashboardWorld.StartAsync();
        var (run, deadJob) = await world.FillAsync();
        world.OAuth.SignedInAs = "ada";
        var dashboard = await world.OpenBrowserAsync(_browser);

        // Act + Assert: sign-in is required.
        var first = await dashboard.OpenAsync();
        Assert.Equal(401, first!.Status);
        Assert.Equal("Sign-in required", await dashboard.HeadingAsync());
        await dashboard.ScreenshotAsync("01-sign-in-required");

        await dashboard.SignInWithGitHubAsync();
        Assert.Equal("ada", await dashboard.SignedInAsAsync());
        Assert.Equal(1, await dashboard.Row("runs", run).CountAsync());
        Assert.Contains("in progress", await dashboard.Row("runs", run).InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("1", await dashboard.Page.Locator("#dead b").InnerTextAsync());
        await dashboard.ScreenshotAsync("02-runs");

        await dashboard.Page.GetByRole(AriaRole.Link, new() { Name = run }).ClickAsync();
        Assert.Equal(3, await dashboard.Rows("tasks").CountAsync());
        Assert.Contains("the agent's pull request", await dashboard.Rows("tasks").First.InnerTextAsync(), StringComparison.Ordinal);
        await dashboard.ScreenshotAsync("03-run");

        // GitHub sends the delivery that failed again: answered as a duplicate, counted on the stored one.
        var broken = (await world.Loop.App.Services.GetRequiredService<IJobQueue>().GetAsync(deadJob, Ct))!.Payload;
        await world.Loop.WebhookAsync("pull_request", new JsonObject { ["action"] = "opened" }, broken);
        await dashboard.GoToAsync("Deliveries");
        Assert.Contains("failed", await dashboard.Row("deliveries", broken).InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("\t1 (last ", await dashboard.Row("deliveries", broken).InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("1", await dashboard.StatAsync("duplicate-count"));
        await dashboard.ScreenshotAsync("04-deliveries");

        await dashboard.GoToAsync("Jobs");
        var letter = dashboard.Row("dead-letters", deadJob);
        Assert.Contains("could not be read", await letter.InnerTextAsync(), StringComparison.Ordinal);
        await dashboard.ScreenshotAsync("05-jobs-dead-letter");
        await dashboard.ClickRetryAsync(deadJob);
        Assert.Contains($"Job {deadJob} is back in the queue", await dashboard.FlashAsync(), StringComparison.Ordinal);
        Assert.Equal("None.", await dashboard.Rows("dead-letters").InnerTextAsync());
        Assert.Equal(JobState.Pending, (await world.Loop.App.Services.GetRequiredService<IJobQueue>().GetAsync(deadJob, Ct))!.State);
        await dashboard.ScreenshotAsync("06-jobs-after-retry");

        await dashboard.GoToAsync("Audit");
        Assert.Contains("github:ada", await dashboard.Row("audit", "job.retry").InnerTextAsync(), StringComparison.Ordinal);
        await dashboard.ScreenshotAsync("07-audit");

        await dashboard.GoToAsync("Stats");
        Assert.Equal("Scoreboard", await dashboard.HeadingAsync());
        Assert.StartsWith("workflow\t3\t0 (0%)", await dashboard.Row("scores", "workflow").InnerTextAsync(), StringComparison.Ordinal);
        await dashboard.ScreenshotAsync("07b-stats");
    }

    [Fact]
    public async Task A_user_outside_the_allowed_users_and_teams_is_refused_and_a_team_member_is_let_in()
    {
        // Arrange
        await using var world = await DashboardWorld.StartAsync();
        await world.FillAsync();
        world.Loop.GitHub.AddTeamMember("octo", "ops", "grace");

        // Act
        world.OAuth.SignedInAs = "mallory";
        var stranger = await world.OpenBrowserAsync(_browser);
        await stranger.OpenAsync();
        await stranger.SignInWithGitHubAsync();
        var refused = await stranger.Page.ReloadAsync();
        await stranger.ScreenshotAsync("08-refused");

        world.OAuth.SignedInAs = "grace";
        var member = await world.OpenBrowserAsync(_browser);
        await member.OpenAsync();
        await member.SignInWithGitHubAsync();

        // Assert
        Assert.Equal(403, refused!.Status);
        Assert.Equal("Not allowed", await stranger.HeadingAsync());
        Assert.Contains("mallory is not in Dashboard:AllowedUsers", await stranger.Page.InnerTextAsync("main"), StringComparison.Ordinal);
        Assert.Equal("grace", await member.SignedInAsAsync());
        Assert.Equal(1, await member.Rows("runs").CountAsync());
    }

    [Fact]
    public async Task Retry_without_the_CSRF_token_is_refused_and_changes_nothing()
    {
        // Arrange: an admin signed in (her cookies in the browser context).
        await using var world = await DashboardWorld.StartAsync();
        var (_, deadJob) = await world.FillAsync();
        world.OAuth.SignedInAs = "ada";
        var dashboard = await world.OpenBrowserAsync(_browser);
        await dashboard.OpenAsync();
        await dashboard.SignInWithGitHubAsync();

        // Act: the same POST the Retry button makes, with the session cookie but without the form's token.
        var forged = await dashboard.Page.Context.APIRequest.PostAsync(new Uri(world.Service, $"/admin/jobs/{deadJob}/retry").AbsoluteUri, new() { Form = dashboard.Page.Context.APIRequest.CreateFormData() });

        // Assert
        Assert.Equal(400, forged.Status);
        Assert.Contains("CSRF", await forged.TextAsync(), StringComparison.Ordinal);
        Assert.Equal(JobState.DeadLettered, (await world.Loop.App.Services.GetRequiredService<IJobQueue>().GetAsync(deadJob, Ct))!.State);
    }

    /// <summary>The service (dashboard on, GitHub sign-in configured) on a real port, the GitHub fakes and the OAuth fake.</summary>
    private sealed class DashboardWorld : IAsyncDisposable
    {
        private DashboardWorld(DailyLoopDriver loop, GitHubOAuthFake oauth, Uri service)
        {
            Loop = loop;
            OAuth = oauth;
            Service = service;
        }

        public DailyLoopDriver Loop { get; }

        public GitHubOAuthFake OAuth { get; }

        public Uri Service { get; }

        public static async Task<DashboardWorld> StartAsync()
        {
            var secret = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));
            var oauth = await GitHubOAuthFake.StartAsync(ClientId, secret, Ct);
            var loop = await DailyLoopDriver.StartAsync(
                new Dictionary<string, string?>
                {
                    ["Orchestrator:Dashboard:Enabled"] = "true",
                    ["Orchestrator:Dashboard:ClientId"] = ClientId,
                    ["Orchestrator:Dashboard:ClientSecret"] = secret,
                    ["Orchestrator:Dashboard:OAuthBaseUrl"] = oauth.BaseAddress.AbsoluteUri,
                    ["Orchestrator:Dashboard:AllowedUsers:0"] = "ada",
                    ["Orchestrator:Dashboard:AllowedTeams:0"] = "octo/ops",
                    ["Orchestrator:Dashboard:RefreshSeconds"] = "0",
                },
                start: DateTimeOffset.UtcNow);
            oauth.Api = loop.GitHub;
            loop.App.UseKestrel(0);
            loop.App.StartServer();
            var address = loop.App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new DashboardWorld(loop, oauth, new Uri(address.Replace("localhost", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/"));
        }

        /// <summary>A plan approved (three tasks dispatched) and one delivery that cannot be read; returns the run id and the dead letter's job id.</summary>
        public async Task<(string Run, string DeadJob)> FillAsync()
        {
            Loop.AddReadyIssues();
            var (planned, interaction) = await Loop.PlanAsync();
            var run = await Loop.ApproveAsync(planned, interaction);
            var broken = await Loop.WebhookAsync("pull_request", new JsonObject { ["action"] = "opened", ["pull_request"] = "not an object", ["number"] = 1 });
            await Loop.DrainAsync();
            var job = await Loop.App.Services.GetRequiredService<IOperatorStore>().FindJobByKeyAsync("delivery:" + broken, Ct);
            Assert.Equal(JobState.DeadLettered, job?.State);
            return (run.Id.Value, job!.Id);
        }

        public async Task<DashboardPage> OpenBrowserAsync(IBrowser browser)
        {
            var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
            return new DashboardPage(await context.NewPageAsync(), Service, Screenshots);
        }

        public async ValueTask DisposeAsync()
        {
            await OAuth.DisposeAsync();
            await Loop.DisposeAsync();
        }
    }
}
