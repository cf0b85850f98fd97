using Orchestrator.Runs;
using Orchestrator.Tests.Drivers;
using Orchestrator.Workflow;

namespace Orchestrator.Tests.Workflow;

/// <summary>
/// The scoreboard's figures from <see cref="ScoreboardHistory"/>, against numbers worked out by hand from its table.
/// <code>
/// November, every size    claude                    copilot                    openhands
/// dispatched              1 2 11 12 21 33 = 6       3 13 14 22 = 4             4 15 = 2
/// pull requests           1 2 11 21 33 = 5 (5/6)    3 13 22 = 3 (3/4)          4 = 1 (1/2)
///   minutes to PR, sorted 30 45 60 60 60 → 60       10 20 60 → 20              120 → 120
/// first head judged       1 2 11 33 = 4 (21: none)  3 13 22 = 3                4 = 1
///   green                 1 11 33 = 3 (3/4)         22 = 1 (1/3)               4 = 1 (1/1)
/// merged                  1 2 21 33 = 4 (4/6)       3 22 = 2 (2/4)             4 = 1 (1/2)
///   minutes to merge      120 180 240 720           70 180                     360
///     median              (180+240)/2 = 210 = 3h30m (70+180)/2 = 125 = 2h05m  6h
/// failed                  12 agent                  13 PR closed, 14 unrecorded —
/// shipped (A, D success)  1 2 33 = 3               3 = 1                      4 = 1
///
/// November, size S        claude                    copilot                    openhands
/// dispatched              1 11 12 21 33 = 5         3 14 = 2                   none: no row
/// pull requests           1 11 21 33 = 4            3 = 1
///   minutes to PR, sorted 30 45 60 60 → 52.5        20
/// first head              judged 1 11 33 = 3, green 3   judged 3 = 1, green 0
/// merged                  1 21 33 = 3, 120 180 720 → 180   3 = 1, 180
/// failed                  12 agent                  14 unrecorded
/// shipped                 1 33 = 2                  3 = 1
/// </code>
/// </summary>
public sealed class ScoreboardTests
{
    private static readonly IReadOnlyDictionary<TaskFailure, int> None = new Dictionary<TaskFailure, int>();

    [Fact]
    public void Every_figure_of_every_executor_matches_the_hand_calculation()
    {
        // Act
        var scores = Scoreboard.Compute(ScoreboardHistory.Runs(), ExecutorOf, ScoreboardHistory.Since, ScoreboardHistory.Until);

        // Assert
        Assert.Equal(["claude", "copilot", "openhands"], scores.Select(s => s.Executor));
        AssertScore(new("claude", 6, 5, Minutes(60), 3, 4, 4, Minutes(210), new Dictionary<TaskFailure, int> { [TaskFailure.Agent] = 1 }, 3), scores[0]);
        AssertScore(new("copilot", 4, 3, Minutes(20), 1, 3, 2, Minutes(125), new Dictionary<TaskFailure, int> { [TaskFailure.PullRequestClosed] = 1, [TaskFailure.Unrecorded] = 1 }, 1), scores[1]);
        AssertScore(new("openhands", 2, 1, Minutes(120), 1, 1, 1, Minutes(360), None, 1), scores[2]);
    }

    [Fact]
    public void The_rates_divide_by_dispatched_or_judged_tasks()
    {
        // Act
        var scores = Scoreboard.Compute(ScoreboardHistory.Runs(), ExecutorOf, ScoreboardHistory.Since, ScoreboardHistory.Until);

        // Assert
        Assert.Equal([5.0 / 6, 3.0 / 4, 1.0 / 2], scores.Select(s => s.PullRequestRate!.Value));
        Assert.Equal([3.0 / 4, 1.0 / 3, 1.0], scores.Select(s => s.FirstHeadGreenRate!.Value));
        Assert.Equal([4.0 / 6, 2.0 / 4, 1.0 / 2], scores.Select(s => s.MergeRate!.Value));
        Assert.Equal([1, 2, 0], scores.Select(s => s.FailedTotal));
    }

    [Fact]
    public void A_size_keeps_only_issues_of_that_size_by_the_models_advice_else_the_label()
    {
        // Act
        var small = Scoreboard.Compute(ScoreboardHistory.Runs(), ExecutorOf, ScoreboardHistory.Since, ScoreboardHistory.Until, IssueSize.S);
        var large = Scoreboard.Compute(ScoreboardHistory.Runs(), ExecutorOf, ScoreboardHistory.Since, ScoreboardHistory.Until, IssueSize.L);

        // Assert
        Assert.Equal(["claude", "copilot"], small.Select(s => s.Executor));
        AssertScore(new("claude", 5, 4, Minutes(52.5), 3, 3, 3, Minutes(180), new Dictionary<TaskFailure, int> { [TaskFailure.Agent] = 1 }, 2), small[0]);
        AssertScore(new("copilot", 2, 1, Minutes(20), 0, 1, 1, Minutes(180), new Dictionary<TaskFailure, int> { [TaskFailure.Unrecorded] = 1 }, 1), small[1]);
        var openhands = Assert.Single(large);
        Assert.Equal(("openhands", 1), (openhands.Executor, openhands.Dispatched));
    }

    [Fact]
    public void An_executor_without_pull_requests_or_judged_heads_has_no_rates_or_medians_to_show()
    {
        // Arrange: only B's openhands task (15) was dispatched on 20 November
        var day = ScoreboardHistory.At("11-20 00:00");

        // Act
        var scores = Scoreboard.Compute(ScoreboardHistory.Runs(), ExecutorOf, day, day.AddDays(1));

        // Assert
        var openhands = Assert.Single(scores, s => s.Executor == "openhands");
        AssertScore(new("openhands", 1, 0, null, 0, 0, 0, null, None, 0), openhands);
        Assert.Equal(0, openhands.PullRequestRate);
        Assert.Null(openhands.FirstHeadGreenRate);
        Assert.Empty(Scoreboard.Compute(ScoreboardHistory.Runs(), ExecutorOf, ScoreboardHistory.Until, ScoreboardHistory.Until.AddDays(-1)));
    }

    [Fact]
    public void Executor_names_that_differ_only_in_case_are_one_executor()
    {
        // Act
        var scores = Scoreboard.Compute(ScoreboardHistory.Runs(), (_, t) => t.Executor == "copilot" ? "Claude" : t.Executor ?? "openhands", ScoreboardHistory.Since, ScoreboardHistory.Until);

        // Assert
        Assert.Equal([10, 2], scores.Select(s => s.Dispatched));
    }

    [Fact]
    public void A_task_its_executor_refused_to_start_counts_as_that_executors_failure_when_its_run_was_made()
    {
        // Arrange: a run made on 11-05 whose copilot task was refused (never dispatched) and whose claude task was held as unclear
        var made = ScoreboardHistory.At("11-05 08:00");
        var run = new Run(
            RunId.New(new Microsoft.Extensions.Time.Testing.FakeTimeProvider(made)),
            ScoreboardHistory.Repo,
            RunState.InProgress,
            made,
            made,
            [],
            null,
            [
                new RunTask(51, TaskState.Failed, "c51", Executor: "copilot", Failure: TaskFailure.Dispatch),
                new RunTask(52, TaskState.Failed, "c52", Executor: "claude", Failure: TaskFailure.Unclear),
            ],
            Version: 1);

        // Act
        var inside = Scoreboard.Compute([run], ExecutorOf, ScoreboardHistory.Since, ScoreboardHistory.Until);
        var after = Scoreboard.Compute([run], ExecutorOf, made.AddMinutes(1), ScoreboardHistory.Until);

        // Assert: copilot 1 dispatched, 1 failed (dispatch), nothing else; the unclear task is on no one's score
        var copilot = Assert.Single(inside);
        AssertScore(new("copilot", 1, 0, null, 0, 0, 0, null, new Dictionary<TaskFailure, int> { [TaskFailure.Dispatch] = 1 }, 0), copilot);
        Assert.Equal(0, copilot.MergeRate);
        Assert.Empty(after);
    }

    /// <summary>The repository's default executor (openhands) for a task that names none, as <see cref="ScoreboardQuery"/> resolves it.</summary>
    internal static string ExecutorOf(Run run, RunTask task) => task.Executor ?? "openhands";

    internal static TimeSpan Minutes(double minutes) => TimeSpan.FromMinutes(minutes);

    /// <summary>Every figure of a score (a record compares its dictionary by reference, so that is compared by content).</summary>
    internal static void AssertScore(ExecutorScore expected, ExecutorScore actual)
    {
        Assert.Equal(expected with { Failed = None }, actual with { Failed = None });
        Assert.Equal(expected.Failed.OrderBy(f => f.Key), actual.Failed.OrderBy(f => f.Key));
    }
}
