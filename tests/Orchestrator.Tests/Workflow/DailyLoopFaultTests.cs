using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Runs;
using Orchestrator.Storage;
using Orchestrator.Tests.Drivers;
using Orchestrator.Tests.Fakes;

namespace Orchestrator.Tests.Workflow;

/// <summary>
/// The full loop of <see cref="DailyLoopTests"/> with GitHub and Discord failing on the way: every run still
/// completes and every external effect happens exactly once, counted at the fakes.
/// </summary>
public sealed class DailyLoopFaultTests
{
    private const string Issues = "/repos/{owner}/{repo}/issues";
    private const string Dispatches = "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches";
    private const string Comments = "/repos/{owner}/{repo}/issues/{issue_number}/comments";
    private const string Issue = "/repos/{owner}/{repo}/issues/{issue_number}";
    private const string Messages = "/channels/{channel_id}/messages";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GitHub_502s_on_the_issue_list_and_on_dispatches_still_dispatch_each_task_once()
    {
        // Arrange: the list fails more often than the client retries it, so the plan job retries too. The
        // first dispatch happens on GitHub but answers 502; the second fails before GitHub acts.
        await using var loop = await StartAsync();
        loop.GitHub.FailNext(HttpMethod.Get, Issues, HttpStatusCode.BadGateway, count: 6);
        loop.GitHub.FailNextAfterHandling(HttpMethod.Post, Dispatches, HttpStatusCode.BadGateway);
        loop.GitHub.FailNext(HttpMethod.Post, Dispatches, HttpStatusCode.BadGateway);

        // Act
        var (run, interaction) = await loop.PlanAsync();
        run = await loop.ApproveAsync(run, interaction);
        run = await loop.DeliverAsync(run);
        loop.GitHub.FailNextAfterHandling(HttpMethod.Post, Dispatches, HttpStatusCode.BadGateway);
        run = await loop.ShipAsync(run);
        run = await loop.DeployCompletesAsync(run);

        // Assert
        Assert.Equal(6, loop.GitHub.RequestsTo("issues/list-for-repo").Count(r => r.Status == 502));
        Assert.Equal(3, loop.GitHub.RequestsTo("actions/create-workflow-dispatch").Count(r => r.Status == 502));
        await AssertShippedExactlyOnceAsync(loop, run);
    }

    [Fact]
    public async Task GitHub_429s_with_Retry_After_are_waited_out_and_nothing_happens_twice()
    {
        // Arrange
        await using var loop = await StartAsync();
        loop.GitHub.FailNext(HttpMethod.Get, Issues, HttpStatusCode.TooManyRequests, RetryAfter(7));
        loop.GitHub.FailNext(HttpMethod.Post, Dispatches, HttpStatusCode.TooManyRequests, RetryAfter(5));
        loop.GitHub.FailNext(HttpMethod.Post, Comments, HttpStatusCode.TooManyRequests, RetryAfter(3));

        // Act
        var run = await loop.RunFullLoopAsync();

        // Assert
        Assert.Contains(TimeSpan.FromSeconds(7), loop.Time.Delays);
        Assert.Contains(TimeSpan.FromSeconds(5), loop.Time.Delays);
        Assert.Contains(TimeSpan.FromSeconds(3), loop.Time.Delays);
        Assert.Equal(3, loop.GitHub.Requests.Count(r => r.Status == 429));
        await AssertShippedExactlyOnceAsync(loop, run);
    }

    [Fact]
    public async Task Secondary_rate_limits_on_a_dispatch_and_on_closing_issues_leave_one_comment_per_issue()
    {
        // Arrange: the dispatch and the comment are retried by the client; closing asks for longer than the
        // client waits, so the finish job comes back after the comments were posted.
        await using var loop = await StartAsync();
        loop.GitHub.FailNextWithSecondaryRateLimit(HttpMethod.Post, Dispatches, 30);
        loop.GitHub.FailNextWithSecondaryRateLimit(HttpMethod.Post, Comments, 20);
        loop.GitHub.FailNextWithSecondaryRateLimit(HttpMethod.Patch, Issue, 90);

        // Act
        var run = await loop.RunFullLoopAsync();

        // Assert
        Assert.Equal(3, loop.GitHub.Requests.Count(r => r.Status == 403));
        var closes = loop.GitHub.RequestsTo("issues/update");
        var limited = closes.ToList().FindIndex(r => r.Status == 403);
        var waited = closes[limited + 1].At - closes[limited].At;
        Assert.True(waited >= TimeSpan.FromSeconds(90), $"closing was tried again {waited} after GitHub asked for 90 s");
        await AssertShippedExactlyOnceAsync(loop, run);
    }

    [Fact]
    public async Task A_primary_rate_limit_holds_dispatching_until_the_reset_and_then_dispatches_each_task_once()
    {
        // Arrange
        await using var loop = await StartAsync();
        var (run, interaction) = await loop.PlanAsync();
        var reset = loop.Time.GetUtcNow().AddMinutes(20);
        loop.GitHub.FailNextWithPrimaryRateLimit(HttpMethod.Post, Dispatches, TimeSpan.FromMinutes(20));

        // Act
        run = await loop.ApproveAsync(run, interaction);
        run = await loop.DeliverAsync(run);
        run = await loop.ShipAsync(run);
        run = await loop.DeployCompletesAsync(run);

        // Assert: nothing more was sent to GitHub's dispatch endpoint before the limit reset.
        var dispatches = loop.GitHub.RequestsTo("actions/create-workflow-dispatch");
        var limited = Assert.Single(dispatches, r => r.Status == 403);
        Assert.All(dispatches.Where(r => r != limited), r => Assert.True(r.At >= reset.AddSeconds(-1), $"a dispatch was sent at {r.At:T}, before the reset at {reset:T}"));
        await AssertShippedExactlyOnceAsync(loop, run);
    }

    [Fact]
    public async Task Discord_429s_and_a_lost_answer_post_no_message_twice()
    {
        // Arrange: Discord's own nonce check is off, so only the service's reconciliation prevents duplicates.
        await using var loop = await StartAsync();
        loop.Discord.NonceWindow = TimeSpan.Zero;
        loop.Discord.RateLimitNext(HttpMethod.Post, Messages, 2.5);
        loop.Discord.RateLimitNext(HttpMethod.Post, Messages, 45); // longer than the client waits: the job retries
        loop.Discord.FailNextAfterHandling(HttpMethod.Post, Messages, HttpStatusCode.BadGateway);
        loop.Discord.RateLimitNext(HttpMethod.Post, Messages + "/{message_id}/threads", 3);
        loop.Discord.FailNextAfterHandling(HttpMethod.Post, Messages + "/{message_id}/threads", HttpStatusCode.BadGateway);
        loop.Discord.RateLimitNext(HttpMethod.Patch, Messages + "/{message_id}", 1.5, count: 2);
        loop.Discord.RateLimitNext(HttpMethod.Patch, "/webhooks/{webhook_id}/{webhook_token}/messages/@original", 1);

        // Act
        var run = await loop.RunFullLoopAsync();

        // Assert
        Assert.Equal(2, loop.Discord.RequestsTo("create_message").Count(r => r.Status == 429));
        Assert.Equal(1, loop.Discord.RequestsTo("create_thread_from_message").Count(r => r.Status == 429));
        Assert.Equal(2, loop.Discord.RequestsTo("update_message").Count(r => r.Status == 429));
        Assert.Equal(1, loop.Discord.RequestsTo("update_original_webhook_message").Count(r => r.Status == 429));
        Assert.Equal(2, loop.Discord.Requests.Count(r => r.Status == 502));
        Assert.Single(loop.Discord.Threads);
        Assert.Equal(1, loop.Discord.EffectCount("create_thread_from_message"));
        await AssertShippedExactlyOnceAsync(loop, run);
    }

    private static async Task<DailyLoopDriver> StartAsync()
    {
        var loop = await DailyLoopDriver.StartAsync();
        loop.AddReadyIssues();
        return loop;
    }

    private static Dictionary<string, string> RetryAfter(int seconds) =>
        new() { ["Retry-After"] = seconds.ToString(CultureInfo.InvariantCulture) };

    /// <summary>Three issues planned, dispatched once each, merged, shipped with one deploy, each closed with one comment; no message twice.</summary>
    private static async Task AssertShippedExactlyOnceAsync(DailyLoopDriver loop, Run run)
    {
        Assert.Equal(RunState.Completed, run.State);
        Assert.Equal(3, run.Tasks.Count);
        Assert.All(run.Tasks, t => Assert.Equal(TaskState.Merged, t.State));

        // GitHub: one workflow dispatch per task and one deploy; one comment and one close per issue.
        Assert.Equal(run.Tasks.Count + 1, loop.GitHub.EffectCount("actions/create-workflow-dispatch"));
        Assert.All(run.Tasks, t => Assert.Single(loop.World.Runs, r => r.DisplayTitle.Contains(t.CorrelationId, StringComparison.Ordinal)));
        Assert.Single(loop.World.Runs, r => r.Name == "Deploy");
        Assert.Equal(run.Tasks.Count, loop.GitHub.EffectCount("issues/create-comment"));
        Assert.All(run.Tasks, t =>
        {
            var issue = loop.World.Issue(t.IssueNumber);
            Assert.Equal("closed", issue.State);
            Assert.Contains(run.Id.Value, Assert.Single(issue.Comments).Body, StringComparison.Ordinal);
        });

        // Discord: one proposal, one thread, no message posted twice in the channel or the thread.
        Assert.Single(loop.Discord.Messages(loop.Channel), m => DailyLoopTests.EmbedText(m).Contains("Daily Plan Proposal", StringComparison.Ordinal));
        Assert.Single(loop.Discord.Threads);
        AssertNoDuplicates(loop.Discord.Messages(loop.Channel));
        var thread = loop.Thread(run);
        AssertNoDuplicates(thread);
        Assert.Single(thread, m => DailyLoopTests.EmbedText(m).Contains("Shipped — run", StringComparison.Ordinal));
        Assert.Single(thread, m => m.Content.Contains("ready to `/ship`", StringComparison.Ordinal));
        Assert.Equal(run.Tasks.Count, thread.Count(m => m.Content.Contains("opened for", StringComparison.Ordinal)));

        Assert.Empty(await loop.App.Services.GetRequiredService<IJobQueue>().ListDeadLetteredAsync(10, Ct));
    }

    /// <summary>The bot's own messages (interaction answers aside), compared by content and embeds.</summary>
    private static void AssertNoDuplicates(IReadOnlyList<FakeMessage> messages)
    {
        var twice = messages
            .Where(m => m.WebhookId is null)
            .GroupBy(m => m.Content + "\n" + DailyLoopTests.EmbedText(m))
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Count()}× {g.Key}")
            .ToList();
        Assert.True(twice.Count == 0, "posted more than once:\n" + string.Join("\n", twice));
    }
}
