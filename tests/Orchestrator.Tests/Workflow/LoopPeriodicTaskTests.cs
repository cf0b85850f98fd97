using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Jobs;
using Orchestrator.Runs;
using Orchestrator.Tests.Drivers;

namespace Orchestrator.Tests.Workflow;

/// <summary>The loop's periodic tasks (stale sweep, ship watch, scheduled plans), run as the worker runs them.</summary>
public sealed class LoopPeriodicTaskTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_stale_sweep_flags_a_dispatched_task_without_a_pull_request_once()
    {
        // Arrange: two tasks dispatched; #2 gets a pull request, #1 does not
        await using var loop = await DailyLoopDriver.StartAsync(new Dictionary<string, string?> { ["Orchestrator:Repositories:0:StaleAfter"] = "02:00:00" });
        loop.World.AddIssue("One", null, "ready");
        loop.World.AddIssue("Two", null, "ready");
        var (run, interaction) = await loop.PlanAsync();
        run = await loop.ApproveAsync(run, interaction);
        await loop.WebhookAsync("pull_request", DailyLoopDriver.PullRequest("opened", 80, "Fixes #2", DailyLoopDriver.HeadSha(2), "2-agent"));
        await loop.DrainAsync();
        var sweep = Periodic(loop, "stale-tasks");

        // Act
        loop.Time.Advance(TimeSpan.FromMinutes(90));
        await sweep.RunAsync(Ct);
        await loop.DrainAsync();
        var early = loop.Thread(run).Count(IsStaleNotice);
        loop.Time.Advance(TimeSpan.FromMinutes(40));
        await sweep.RunAsync(Ct);
        await loop.DrainAsync();
        loop.Time.Advance(TimeSpan.FromMinutes(5));
        await sweep.RunAsync(Ct);
        await loop.DrainAsync();

        // Assert
        Assert.Equal(0, early);
        var swept = await loop.OnlyRunAsync();
        Assert.True(swept.Tasks.Single(t => t.IssueNumber == 1).FlaggedStale);
        Assert.False(swept.Tasks.Single(t => t.IssueNumber == 2).FlaggedStale);
        var notice = Assert.Single(loop.Thread(swept), IsStaleNotice);
        Assert.Contains("#1 was dispatched 2h ago", notice.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_ship_watch_finishes_a_shipping_run_whose_workflow_run_event_never_came()
    {
        // Arrange
        await using var loop = await DailyLoopDriver.StartAsync();
        loop.AddReadyIssues();
        var (run, interaction) = await loop.PlanAsync();
        run = await loop.ApproveAsync(run, interaction);
        run = await loop.DeliverAsync(run);
        run = await loop.ShipAsync(run);
        var watch = Periodic(loop, "ship-watch");
        await watch.RunAsync(Ct);
        await loop.DrainAsync();
        var stillRunning = await loop.OnlyRunAsync();

        // Act: the deploy finishes on GitHub, and its workflow_run event is lost
        var deploy = loop.DeployRun(run);
        deploy.Status = "completed";
        deploy.Conclusion = "success";
        await watch.RunAsync(Ct);
        await loop.DrainAsync();
        await watch.RunAsync(Ct);
        await loop.DrainAsync();

        // Assert
        Assert.Equal(RunState.Shipping, stillRunning.State);
        var completed = await loop.OnlyRunAsync();
        Assert.Equal(RunState.Completed, completed.State);
        Assert.Equal(deploy.Id, completed.Ship!.WorkflowRunId);
        Assert.All(completed.Tasks, t => Assert.Equal("closed", loop.World.Issue(t.IssueNumber).State));
        Assert.Equal(3, loop.GitHub.EffectCount("issues/create-comment"));
        Assert.Single(loop.Thread(completed), m => DailyLoopTests.EmbedText(m).Contains("Shipped — run", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_ship_watch_fails_a_deploy_that_outlives_its_timeout()
    {
        // Arrange
        await using var loop = await DailyLoopDriver.StartAsync(new Dictionary<string, string?> { ["Orchestrator:Repositories:0:Deploy:Timeout"] = "00:30:00" });
        loop.World.AddIssue("One", null, "ready");
        var (run, interaction) = await loop.PlanAsync();
        run = await loop.ApproveAsync(run, interaction);
        run = await loop.DeliverAsync(run);
        run = await loop.ShipAsync(run);
        var watch = Periodic(loop, "ship-watch");

        // Act
        loop.Time.Advance(TimeSpan.FromMinutes(29));
        await watch.RunAsync(Ct);
        await loop.DrainAsync();
        var inTime = await loop.OnlyRunAsync();
        loop.Time.Advance(TimeSpan.FromMinutes(2));
        await watch.RunAsync(Ct);
        await loop.DrainAsync();

        // Assert
        Assert.Equal(RunState.Shipping, inTime.State);
        var failed = await loop.OnlyRunAsync();
        Assert.Equal(RunState.Failed, failed.State);
        Assert.Contains("did not finish within 30 minutes", failed.Reason, StringComparison.Ordinal);
        Assert.Single(loop.Thread(failed), m => m.Content.Contains("Ship failed", StringComparison.Ordinal));
        Assert.Equal("open", loop.World.Issue(1).State);
    }

    [Fact]
    public async Task Scheduled_plans_make_one_plan_per_cron_occurrence_in_the_repositorys_time_zone()
    {
        // Arrange: 10:30 in Paris is 09:30 UTC in November; the clock starts at 09:00 UTC
        await using var loop = await DailyLoopDriver.StartAsync(new Dictionary<string, string?>
        {
            ["Orchestrator:Repositories:0:Schedule:Cron"] = "30 10 * * 1-5",
            ["Orchestrator:Repositories:0:Schedule:TimeZone"] = "Europe/Paris",
        });
        loop.World.AddIssue("One", null, "ready");
        var schedule = Periodic(loop, "scheduled-plans");

        // Act
        await schedule.RunAsync(Ct);
        await loop.DrainAsync();
        var before = await loop.Runs.ListLatestAsync(5, Ct);
        loop.Time.Advance(TimeSpan.FromMinutes(31));
        await schedule.RunAsync(Ct);
        await loop.DrainAsync();
        loop.Time.Advance(TimeSpan.FromMinutes(5));
        await schedule.RunAsync(Ct);
        await loop.DrainAsync();

        // Assert
        Assert.Empty(before);
        var run = await loop.OnlyRunAsync();
        Assert.Equal("schedule", run.RequestedBy);
        Assert.Single(loop.Discord.Messages(loop.Channel), m => DailyLoopTests.EmbedText(m).Contains("Daily Plan Proposal", StringComparison.Ordinal));
        var ready = Assert.Single(loop.Thread(run), m => m.Content.Contains($"Plan **{run.Id}**", StringComparison.Ordinal));
        Assert.Contains($"approve:{run.Id}", ready.Components.ToJsonString(), StringComparison.Ordinal);
    }

    private static IPeriodicTask Periodic(DailyLoopDriver loop, string name) =>
        Assert.Single(loop.App.Services.GetServices<IPeriodicTask>(), t => t.Name == name);

    private static bool IsStaleNotice(Fakes.FakeMessage message) => message.Content.Contains("has no pull request yet", StringComparison.Ordinal);
}
