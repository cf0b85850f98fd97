using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Jobs;
using Orchestrator.Runs;
using Orchestrator.Tests.Drivers;

namespace Orchestrator.Tests.Workflow;

/// <summary>Runs never stall on a missed webhook: the reconciliation round, as the worker runs it, against the fakes.</summary>
public sealed class ReconciliationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_missed_merge_is_found_within_one_interval_and_unchanged_reads_cost_only_304s()
    {
        // Arrange: a task whose pull request is open and tracked
        await using var loop = await DailyLoopDriver.StartAsync();
        var issue = loop.World.AddIssue("Export to CSV", null, "ready");
        var (planned, interaction) = await loop.PlanAsync();
        var run = await loop.ApproveAsync(planned, interaction);
        loop.World.Push("1-export");
        var pull = loop.World.OpenPullRequest("Export to CSV", "1-export", $"Fixes #{issue.Number}", "octocat", draft: false);
        await loop.WebhookAsync("pull_request", AgentPayloads.PullRequest("opened", pull));
        await loop.DrainAsync();
        var reconcile = Reconciliation(loop);

        // Act 1: two rounds with nothing changed on GitHub
        await RoundAsync(loop, reconcile);
        var afterFirst = loop.GitHub.Requests.Count;
        await RoundAsync(loop, reconcile);
        var second = loop.GitHub.Requests.Skip(afterFirst).ToList();

        // Act 2: the pull request is merged and pull_request.closed never arrives
        pull.Merge(loop.Time.GetUtcNow());
        await RoundAsync(loop, reconcile);

        // Assert
        Assert.Equal(3, second.Count); // the pull request, its head's check runs and its statuses
        Assert.All(second, r => Assert.Equal(304, r.Status));
        var merged = (await loop.OnlyRunAsync()).Task(issue.Number)!;
        Assert.Equal(TaskState.Merged, merged.State);
        Assert.Contains(loop.Thread(run), m => m.Content.Contains("merged", StringComparison.Ordinal) && m.Content.Contains("found by reconciliation", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_pull_request_opened_while_the_service_was_down_is_linked_by_the_next_round()
    {
        // Arrange: the agent opens its pull request (no closing keyword) while no webhook reaches the service
        await using var loop = await DailyLoopDriver.StartAsync();
        var issue = loop.World.AddIssue("Export to CSV", null, "ready");
        var (planned, interaction) = await loop.PlanAsync();
        var run = await loop.ApproveAsync(planned, interaction);
        loop.World.Push("agent/csv");
        var pull = loop.World.OpenPullRequest("CSV export", "agent/csv", "Adds the export.", "octocat", draft: false);
        issue.CrossReferencedBy.Add(pull.Number);
        loop.World.CheckRuns.Add(new Fakes.FakeCheckRun(1, pull.HeadSha, "build", "completed", "success"));

        // Act: the first round after the start (the worker runs periodic tasks at start)
        var roundAt = loop.Time.GetUtcNow().AddMinutes(5);
        await RoundAsync(loop, Reconciliation(loop));

        // Assert
        var task = (await loop.OnlyRunAsync()).Task(issue.Number)!;
        Assert.Equal(pull.Number, task.PullRequestNumber);
        Assert.Equal("issue timeline", task.LinkedBy);
        Assert.Equal(roundAt, task.PullRequestAt);
        Assert.Contains(loop.Thread(run), m => m.Content.Contains($"#{pull.Number}", StringComparison.Ordinal) && m.Content.Contains("found by reconciliation", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_zero_interval_turns_reconciliation_off()
    {
        // Arrange
        await using var loop = await DailyLoopDriver.StartAsync(new Dictionary<string, string?> { ["Orchestrator:Tracking:ReconcileInterval"] = "00:00:00" });
        loop.World.AddIssue("Export to CSV", null, "ready");
        var (planned, interaction) = await loop.PlanAsync();
        await loop.ApproveAsync(planned, interaction);
        var before = loop.GitHub.Requests.Count;

        // Act
        await RoundAsync(loop, Reconciliation(loop));

        // Assert
        Assert.Equal(before, loop.GitHub.Requests.Count);
    }

    private static IPeriodicTask Reconciliation(DailyLoopDriver loop) =>
        Assert.Single(loop.App.Services.GetServices<IPeriodicTask>(), t => t.Name == "reconcile");

    /// <summary>One interval later, the periodic task queues the round and the worker runs it.</summary>
    private static async Task RoundAsync(DailyLoopDriver loop, IPeriodicTask reconcile)
    {
        loop.Time.Advance(TimeSpan.FromMinutes(5));
        await reconcile.RunAsync(Ct);
        await loop.DrainAsync();
    }
}
