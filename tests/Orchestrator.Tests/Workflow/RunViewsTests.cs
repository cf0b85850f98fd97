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
    public void The_thread_is_named_for_the_day()
    {
        Assert.Equal("Daily Plan — 2026-11-25", RunViews.ThreadName(new DateOnly(2026, 11, 25)));
    }

    private static Run RunWith(IReadOnlyList<PlannedIssue> plan) =>
        new(new RunId("01JD5Z3M6QF7T9ABCDEFGHJKMN"), "o/r", RunState.Pending, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, plan, null, [.. plan.Select(i => new RunTask(i.Number, TaskState.Queued, "c" + i.Number))], 1);
}
