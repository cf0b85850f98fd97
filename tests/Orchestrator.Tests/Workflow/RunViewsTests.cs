using Orchestrator.Runs;
using Orchestrator.Workflow;

namespace Orchestrator.Tests.Workflow;

public sealed class RunViewsTests
{
    [Fact]
    public void Untrusted_titles_cannot_ping_or_break_markdown()
    {
        var run = RunWith([new PlannedIssue(1, "@everyone **free** <@&123> [x](http://evil)", "https://github.com/o/r/issues/1", ["@here"])]);

        var page = Assert.Single(RunViews.PlanPages(run));
        var description = page.Embeds![0].Description!;

        Assert.DoesNotContain("@everyone", description, StringComparison.Ordinal);
        Assert.DoesNotContain("**free**", description, StringComparison.Ordinal);
        Assert.DoesNotContain("<@&123>", description, StringComparison.Ordinal);
        Assert.Empty(page.AllowedMentions!.Parse);
    }

    [Fact]
    public void A_long_plan_is_split_into_pages_within_the_embed_limit()
    {
        var issues = Enumerable.Range(1, 100).Select(i => new PlannedIssue(i, new string('x', 140), $"https://github.com/o/r/issues/{i}", ["ready", "backend"])).ToList();

        var pages = RunViews.PlanPages(RunWith(issues));

        Assert.True(pages.Count > 1);
        Assert.All(pages, p => Assert.True(p.Embeds![0].Description!.Length <= 4096));
        Assert.Equal(100, pages.Sum(p => p.Embeds![0].Description!.Split('\n').Length));
        Assert.Equal($"Daily Plan Proposal (1/{pages.Count})", pages[0].Embeds![0].Title);
    }

    [Fact]
    public void The_status_message_lists_every_task_with_its_pull_request()
    {
        var run = RunWith([new PlannedIssue(1, "One", "u1", []), new PlannedIssue(2, "Two", "u2", [])]) with
        {
            Tasks =
            [
                new RunTask(1, TaskState.Merged, "c1", PullRequestNumber: 10, PullRequestUrl: "https://github.com/o/r/pull/10"),
                new RunTask(2, TaskState.Dispatched, "c2"),
            ],
        };

        var text = RunViews.Status(run).Embeds![0].Description!;

        Assert.Contains("#1 One — merged · [PR #10](<https://github.com/o/r/pull/10>)", text, StringComparison.Ordinal);
        Assert.Contains("#2 Two — dispatched", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_ship_summary_has_one_line_per_agent_with_its_merges_and_median_time_to_merge()
    {
        // Arrange: claude's merges took 2h and 2h 20m (median 2h 10m); copilot's one task failed; #4 was never dispatched
        var at = DateTimeOffset.Parse("2026-11-25T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var run = RunWith([new PlannedIssue(1, "One", "u1", []), new PlannedIssue(2, "Two", "u2", []), new PlannedIssue(3, "Three", "u3", []), new PlannedIssue(4, "Four", "u4", [])]) with
        {
            State = RunState.Completed,
            Ship = new ShipInfo("c-ship", "discord:2", at.AddHours(3), Conclusion: "success", CompletedAt: at.AddHours(3)),
            Tasks =
            [
                new RunTask(1, TaskState.Merged, "c1", DispatchedAt: at, MergedAt: at.AddHours(2), Executor: "claude"),
                new RunTask(2, TaskState.Merged, "c2", DispatchedAt: at, MergedAt: at.AddMinutes(140), Executor: "claude"),
                new RunTask(3, TaskState.Failed, "c3", DispatchedAt: at, Executor: "copilot"),
                new RunTask(4, TaskState.Failed, "c4", Failure: TaskFailure.Unclear),
            ],
        };

        // Act
        var text = RunViews.ShipSummary(run, TimeProvider.System, (_, t) => t.Executor ?? "default").Embeds![0].Description!;

        // Assert
        Assert.Contains("\n**claude**: 2 tasks, 2 merged (median 2h 10m)\n**copilot**: 1 task, 0 merged\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("default", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_thread_is_named_for_the_day()
    {
        Assert.Equal("Daily Plan — 2026-11-25", RunViews.ThreadName(new DateOnly(2026, 11, 25)));
    }

    private static Run RunWith(IReadOnlyList<PlannedIssue> plan) =>
        new(new RunId("01JD5Z3M6QF7T9ABCDEFGHJKMN"), "o/r", RunState.Pending, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, plan, null, [.. plan.Select(i => new RunTask(i.Number, TaskState.Queued, "c" + i.Number))], 1);
}
