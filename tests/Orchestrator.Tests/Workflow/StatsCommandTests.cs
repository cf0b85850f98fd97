using System.Text.Json.Nodes;
using Orchestrator.Discord;
using Orchestrator.Tests.Drivers;

namespace Orchestrator.Tests.Workflow;

/// <summary>/stats against the running service, on <see cref="ScoreboardHistory"/> stored in its SQLite store.</summary>
public sealed class StatsCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stats_shows_one_line_per_executor_with_the_figures_worked_out_by_hand()
    {
        // Arrange: it is 1 December; the last 30 days are November
        await using var loop = await SeededAsync();

        // Act
        var (answer, _) = await loop.CommandAsync("stats", DailyLoopDriver.Stranger);

        // Assert: the figures of ScoreboardTests, in words
        Assert.Equal(4, answer["type"]!.GetValue<int>());
        Assert.Null(answer["data"]!["flags"]);
        Assert.Equal(
            """
            **Scoreboard** — last 30 days
            **claude**: 6 dispatched · PR 5 (83%, median 1h) · first-head green 3/4 (75%) · merged 4 (67%, median 3h 30m) · failed 1 (agent 1) · shipped 3
            **copilot**: 4 dispatched · PR 3 (75%, median 20m) · first-head green 1/3 (33%) · merged 2 (50%, median 2h 5m) · failed 2 (PR closed 1, unrecorded 1) · shipped 1
            **openhands**: 2 dispatched · PR 1 (50%, median 2h) · first-head green 1/1 (100%) · merged 1 (50%, median 6h) · failed 0 · shipped 1
            """.ReplaceLineEndings("\n"),
            Content(answer));
    }

    [Fact]
    public async Task Stats_narrows_to_a_repository_and_a_size_and_says_when_there_is_nothing_to_score()
    {
        // Arrange
        await using var loop = await SeededAsync();

        // Act
        var (small, _) = await loop.CommandAsync("stats", DailyLoopDriver.Stranger, null, ("repo", "octo/app"), ("size", "s"), ("days", 30));
        var (lastDay, _) = await loop.CommandAsync("stats", DailyLoopDriver.Stranger, null, ("days", 1));

        // Assert
        var lines = Content(small).Split('\n');
        Assert.Equal("**Scoreboard** — last 30 days · octo/app · size S", lines[0]);
        Assert.StartsWith("**claude**: 5 dispatched · PR 4 (80%, median 52m) · first-head green 3/3 (100%) · merged 3 (60%, median 3h)", lines[1], StringComparison.Ordinal);
        Assert.Equal("**copilot**: 2 dispatched · PR 1 (50%, median 20m) · first-head green 0/1 (0%) · merged 1 (50%, median 3h) · failed 1 (unrecorded 1) · shipped 1", lines[2]);
        Assert.Equal(3, lines.Length);
        Assert.Equal("**Scoreboard** — last 1 day\nNo task was dispatched in that time, so there is nothing to score yet.", Content(lastDay));
    }

    [Theory]
    [InlineData("days", 0, "`days` must be a whole number from 1 to 365.")]
    [InlineData("days", 366, "`days` must be a whole number from 1 to 365.")]
    [InlineData("size", "XL", "`size` must be S, M or L.")]
    [InlineData("repo", "octo/other", "`octo/other` is not a configured repository.")]
    public async Task Stats_with_a_wrong_option_is_answered_to_the_caller_only(string option, object value, string expected)
    {
        // Arrange
        await using var loop = await SeededAsync();

        // Act
        var (answer, _) = await loop.CommandAsync("stats", DailyLoopDriver.Stranger, null, (option, value));

        // Assert
        Assert.Equal(MessageFlags.Ephemeral, answer["data"]!["flags"]!.GetValue<int>());
        Assert.Equal(expected, Content(answer));
    }

    [Fact]
    public async Task Autocomplete_of_repo_offers_the_configured_repositories()
    {
        // Arrange
        await using var loop = await DailyLoopDriver.StartAsync();

        // Act
        var answer = await loop.AutocompleteAsync("stats", "repo", "OCTO", DailyLoopDriver.Stranger);

        // Assert
        Assert.Equal("octo/app", Assert.Single(answer["data"]!["choices"]!.AsArray())!["value"]!.GetValue<string>());
    }

    /// <summary>The service with the history's executors and the history in its store, on 1 December.</summary>
    private static async Task<DailyLoopDriver> SeededAsync()
    {
        var loop = await DailyLoopDriver.StartAsync(new Dictionary<string, string?>(ScoreboardHistory.Settings()), ScoreboardHistory.Until);
        foreach (var run in ScoreboardHistory.Runs())
        {
            await loop.Runs.CreateAsync(run, Ct);
        }

        return loop;
    }

    private static string Content(JsonObject answer) => answer["data"]!["content"]!.GetValue<string>();
}
