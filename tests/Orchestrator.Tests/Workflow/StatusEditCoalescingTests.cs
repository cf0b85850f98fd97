using Orchestrator.Runs;
using Orchestrator.Tests.Drivers;
using Orchestrator.Workflow;

namespace Orchestrator.Tests.Workflow;

/// <summary>Updates to a run's status message are merged; notices are not.</summary>
public sealed class StatusEditCoalescingTests
{
    [Fact]
    public async Task A_burst_of_events_on_one_run_edits_its_status_at_most_twice_and_posts_every_notice_once()
    {
        // Arrange: a dispatched run of three tasks, its thread and status message in Discord's fake.
        await using var loop = await DailyLoopDriver.StartAsync();
        loop.AddReadyIssues();
        var (planned, interaction) = await loop.PlanAsync();
        var run = await loop.ApproveAsync(planned, interaction);
        await loop.DrainAsync();
        run = await loop.OnlyRunAsync();
        var statusId = run.Discord!.StatusMessageId!;
        var editsBefore = loop.Thread(run).Single(m => m.Id == statusId).History.Count;
        var waitsBefore = loop.Time.Delays.Count;

        // Act: nine events inside one status window (each task: PR opened, checks green, merged), then the jobs.
        var pr = 101;
        foreach (var task in run.Tasks)
        {
            var sha = DailyLoopDriver.HeadSha(task.IssueNumber);
            await loop.WebhookAsync("pull_request", DailyLoopDriver.PullRequest("opened", pr, $"Fixes #{task.IssueNumber}", sha, $"{task.IssueNumber}-agent"));
            await loop.WebhookAsync("check_suite", DailyLoopDriver.CheckSuite(sha, "success"));
            await loop.WebhookAsync("pull_request", DailyLoopDriver.PullRequest("closed", pr, $"Fixes #{task.IssueNumber}", sha, $"{task.IssueNumber}-agent", merged: true));
            pr++;
        }

        var lastEvent = loop.Time.GetUtcNow();
        await loop.App.DrainJobsAsync(TestContext.Current.CancellationToken); // what is due now: the leading edit
        loop.Time.Advance(RunUpdates.StatusWindow); // the worker's next polls after the window's end
        await loop.DrainAsync();

        // Assert: two edits (leading and trailing) instead of nine, no wait for Discord's bucket, the final state
        // shown, within one window of the last event; each notice posted once.
        run = await loop.OnlyRunAsync();
        var thread = loop.Thread(run);
        var status = thread.Single(m => m.Id == statusId);
        var edits = status.History.Count - editsBefore;
        Assert.InRange(edits, 1, 2);
        Assert.DoesNotContain(loop.Time.Delays.Skip(waitsBefore), d => d >= TimeSpan.FromSeconds(1) && d < RunUpdates.StatusWindow);
        Assert.All(run.Tasks, t => Assert.Equal(TaskState.Merged, t.State));
        Assert.Equal(3, DailyLoopTests.EmbedText(status).Split("merged · [PR #", StringSplitOptions.None).Length - 1);
        Assert.True(status.EditedTimestamp <= lastEvent + RunUpdates.StatusWindow + TimeSpan.FromSeconds(1), $"edited at {status.EditedTimestamp:O}, last event {lastEvent:O}");
        Assert.Equal(3, thread.Count(m => m.Content.Contains("opened for", StringComparison.Ordinal)));
        Assert.Single(thread, m => m.Content.Contains("ready to `/ship`", StringComparison.Ordinal));
    }
}
