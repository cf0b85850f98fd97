using Microsoft.Extensions.Time.Testing;
using Orchestrator.Runs;
using Orchestrator.Tests.Drivers;
using Orchestrator.Tests.Infrastructure;
using Orchestrator.Tests.Workflow;
using Orchestrator.Workflow;

namespace Orchestrator.Tests.Storage;

/// <summary>
/// The scoreboard read from a store: <see cref="ScoreboardHistory"/> written to it gives the figures worked out by hand
/// in <see cref="ScoreboardTests"/> (so the fields it reads survive the store), plus a run of a repository no longer
/// configured, whose task is scored under "default".
/// </summary>
public abstract class ScoreboardStoreContract : StoreContract
{
    [Fact]
    public async Task The_scores_of_the_last_30_days_come_from_the_stored_runs()
    {
        // Arrange
        var store = await NewStoreAsync();
        foreach (var run in ScoreboardHistory.Runs())
        {
            await store.Runs.CreateAsync(run, Ct);
        }

        var gone = ScoreboardHistory.Runs("octo/gone")[0]; // run A again: 1 and 2 claude, 3 copilot, 4 the default
        await store.Runs.CreateAsync(gone with { Tasks = [.. gone.Tasks.Select(t => t with { CorrelationId = "gone-" + t.CorrelationId })] }, Ct);
        var query = new ScoreboardQuery(store.Runs, new StaticOptionsMonitor<WorkflowOptions>(Options()), new FakeTimeProvider(ScoreboardHistory.Until));

        // Act
        var app = await query.ScoresAsync(ScoreboardHistory.Repo, 30, null, Ct);
        var all = await query.ScoresAsync(null, 30, null, Ct);
        var small = await query.ScoresAsync("OCTO/APP", 30, IssueSize.S, Ct);
        var lastDay = await query.ScoresAsync(null, 1, null, Ct);

        // Assert
        Assert.Equal(["claude", "copilot", "openhands"], app.Select(s => s.Executor));
        ScoreboardTests.AssertScore(new("claude", 6, 5, ScoreboardTests.Minutes(60), 3, 4, 4, ScoreboardTests.Minutes(210), new Dictionary<TaskFailure, int> { [TaskFailure.Agent] = 1 }, 3), app[0]);
        ScoreboardTests.AssertScore(new("copilot", 4, 3, ScoreboardTests.Minutes(20), 1, 3, 2, ScoreboardTests.Minutes(125), new Dictionary<TaskFailure, int> { [TaskFailure.PullRequestClosed] = 1, [TaskFailure.Unrecorded] = 1 }, 1), app[1]);
        ScoreboardTests.AssertScore(new("openhands", 2, 1, ScoreboardTests.Minutes(120), 1, 1, 1, ScoreboardTests.Minutes(360), new Dictionary<TaskFailure, int>(), 1), app[2]);
        Assert.Equal(["claude", "copilot", "default", "openhands"], all.Select(s => s.Executor));
        Assert.Equal([8, 5, 1, 2], all.Select(s => s.Dispatched));
        Assert.Equal([5, 2], small.Select(s => s.Dispatched));
        Assert.Empty(lastDay);
    }

    /// <summary>The history's repository with openhands its default executor.</summary>
    private static WorkflowOptions Options()
    {
        var repository = new RepositoryOptions { Name = ScoreboardHistory.Repo };
        repository.Executors.Add(new ExecutorOptions { Kind = ExecutorKind.Claude });
        repository.Executors.Add(new ExecutorOptions { Kind = ExecutorKind.Copilot });
        repository.Executors.Add(new ExecutorOptions { Kind = ExecutorKind.OpenHands, Default = true });
        var options = new WorkflowOptions();
        options.Repositories.Add(repository);
        return options;
    }
}
