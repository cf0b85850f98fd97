using Orchestrator.Runs;
using Orchestrator.Workflow;

namespace Orchestrator.Tests.Workflow;

public sealed class TrackingTests
{
    private static readonly RunTask Dispatched = new(12, TaskState.Dispatched, "orc-01JD0000000000000000000000-12");

    [Theory]
    [InlineData("Fixes #12", 12)]
    [InlineData("This closes #12.", 12)]
    [InlineData("resolved: #12", 12)]
    [InlineData("FIX #12", 12)]
    [InlineData("Closes octo/app#12", 12)]
    public void Closing_keywords_link_a_pull_request_to_its_issue(string body, int expected)
    {
        Assert.Equal([expected], Tracking.ClosingReferences("octo/app", "Make it work", body));
    }

    [Theory]
    [InlineData("Refs #12")]
    [InlineData("See #12 for context")]
    [InlineData("Fixes other/repo#12")]
    [InlineData("prefixes #12")]
    public void Mentions_that_do_not_close_an_issue_of_this_repository_do_not_link(string body)
    {
        Assert.Empty(Tracking.ClosingReferences("octo/app", null, body));
    }

    [Theory]
    [InlineData("12-fix-login", 12)]
    [InlineData("issue-12", 12)]
    [InlineData("fix/12-login", 12)]
    [InlineData("copilot/fix-12", 12)]
    public void Branch_names_that_carry_an_issue_number_link(string branch, int expected)
    {
        Assert.Contains(expected, Tracking.BranchReferences(branch));
    }

    [Theory]
    [InlineData("main")]
    [InlineData("release-v2")]
    [InlineData("feature/login")]
    public void Branch_names_without_a_number_do_not_link(string branch)
    {
        Assert.Empty(Tracking.BranchReferences(branch));
    }

    [Fact]
    public void A_correlation_id_is_found_inside_a_workflow_run_name()
    {
        var id = Tracking.CorrelationId(new RunId("01JD5Z3M6QF7T9ABCDEFGHJKMN"), 7);
        Assert.Equal(id, Tracking.FindCorrelationId($"Agent for issue 7 ({id})"));
        Assert.Null(Tracking.FindCorrelationId("Agent for issue 7"));
    }

    [Fact]
    public void An_opened_pull_request_moves_the_task_to_pr_open()
    {
        var task = Tracking.PullRequestOpened(Dispatched, 40, "https://github.com/octo/app/pull/40", "abc", "12-fix");
        Assert.Equal(TaskState.PrOpen, task.State);
        Assert.Equal(40, task.PullRequestNumber);
        Assert.Equal("abc", task.HeadSha);
    }

    [Fact]
    public void Checks_for_an_older_head_are_ignored()
    {
        var task = Tracking.PullRequestOpened(Dispatched, 40, "u", "new-sha", "b");
        Assert.Same(task, Tracking.CheckReported(task, "old-sha", "check:build", "failure"));
    }

    [Fact]
    public void One_failing_check_fails_the_head_and_all_green_passes_it()
    {
        var task = Tracking.PullRequestOpened(Dispatched, 40, "u", "sha", "b");
        task = Tracking.CheckReported(task, "sha", "check:build", "success");
        task = Tracking.CheckReported(task, "sha", "check:lint", null);
        Assert.Equal(TaskState.PrOpen, task.State);

        task = Tracking.CheckReported(task, "sha", "check:lint", "success");
        Assert.Equal(TaskState.ChecksPassing, task.State);

        task = Tracking.CheckReported(task, "sha", "check:build", "failure");
        Assert.Equal(TaskState.ChecksFailing, task.State);
    }

    [Fact]
    public void A_new_head_starts_its_checks_over()
    {
        var task = Tracking.CheckReported(Tracking.PullRequestOpened(Dispatched, 40, "u", "sha1", "b"), "sha1", "check:build", "failure");
        task = Tracking.PullRequestOpened(task, 40, "u", "sha2", "b");
        Assert.Equal(TaskState.PrOpen, task.State);
        Assert.Null(task.Checks);
    }

    [Fact]
    public void Merged_with_green_checks_is_shippable_and_merged_with_a_failure_is_not()
    {
        var open = Tracking.CheckReported(Tracking.PullRequestOpened(Dispatched, 40, "u", "sha", "b"), "sha", "check:build", "success");
        var merged = Tracking.PullRequestClosed(open, merged: true, DateTimeOffset.UnixEpoch, 40);
        Assert.True(Tracking.IsShippable(merged));

        var failing = Tracking.CheckReported(merged, "sha", "check:lint", "failure");
        Assert.Equal(TaskState.Merged, failing.State);
        Assert.False(Tracking.IsShippable(failing));
        Assert.False(Tracking.IsShippable(open));
    }

    [Fact]
    public void A_pull_request_closed_without_merge_fails_the_task_with_the_reason()
    {
        var task = Tracking.PullRequestClosed(Tracking.PullRequestOpened(Dispatched, 40, "u", "sha", "b"), merged: false, DateTimeOffset.UnixEpoch, 40);
        Assert.Equal(TaskState.Failed, task.State);
        Assert.Contains("#40", task.LastError, StringComparison.Ordinal);
    }
}
