using Orchestrator.Runs;
using Orchestrator.Workflow;

namespace Orchestrator.Tests.Workflow;

public sealed class TrackingTests
{
    private static readonly RunTask Dispatched = new(12, TaskState.Dispatched, "orc-01JD0000000000000000000000-12");
    private static readonly DateTimeOffset At = DateTimeOffset.Parse("2026-11-25T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

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
        var task = Tracking.PullRequestOpened(Dispatched, 40, "https://github.com/octo/app/pull/40", "abc", "12-fix", At);
        Assert.Equal(TaskState.PrOpen, task.State);
        Assert.Equal(40, task.PullRequestNumber);
        Assert.Equal("abc", task.HeadSha);
    }

    [Fact]
    public void Checks_for_an_older_head_are_ignored()
    {
        var task = Tracking.PullRequestOpened(Dispatched, 40, "u", "new-sha", "b", At);
        Assert.Same(task, Tracking.CheckReported(task, "old-sha", "check:build", "failure"));
    }

    [Fact]
    public void One_failing_check_fails_the_head_and_all_green_passes_it()
    {
        var task = Tracking.PullRequestOpened(Dispatched, 40, "u", "sha", "b", At);
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
        var task = Tracking.CheckReported(Tracking.PullRequestOpened(Dispatched, 40, "u", "sha1", "b", At), "sha1", "check:build", "failure");
        task = Tracking.PullRequestOpened(task, 40, "u", "sha2", "b", At);
        Assert.Equal(TaskState.PrOpen, task.State);
        Assert.Null(task.Checks);
    }

    [Fact]
    public void Merged_with_green_checks_is_shippable_and_merged_with_a_failure_is_not()
    {
        var open = Tracking.CheckReported(Tracking.PullRequestOpened(Dispatched, 40, "u", "sha", "b", At), "sha", "check:build", "success");
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
        var task = Tracking.PullRequestClosed(Tracking.PullRequestOpened(Dispatched, 40, "u", "sha", "b", At), merged: false, DateTimeOffset.UnixEpoch, 40);
        Assert.Equal(TaskState.Failed, task.State);
        Assert.Contains("#40", task.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public void The_first_linked_pull_request_sets_when_and_later_events_keep_the_earliest()
    {
        var task = Tracking.PullRequestOpened(Dispatched, 40, "u", "sha1", "b", At);
        task = Tracking.PullRequestOpened(task, 40, "u", "sha2", "b", At.AddHours(1));
        task = Tracking.PullRequestClosed(task, merged: false, At.AddHours(2), 40);
        task = Tracking.PullRequestOpened(task, 41, "u", "sha3", "b", At.AddHours(3));

        Assert.Equal(At, task.PullRequestAt);
        Assert.Equal(At.AddHours(-1), Tracking.PullRequestOpened(task, 41, "u", "sha3", "b", At.AddHours(-1)).PullRequestAt);
    }

    [Fact]
    public void A_pull_request_first_seen_merged_is_counted_as_opened_when_it_merged()
    {
        var merged = Tracking.PullRequestClosed(Dispatched, merged: true, At, 40);

        Assert.Equal(At, merged.PullRequestAt);
        Assert.Null(merged.Failure);
    }

    [Theory]
    [InlineData("success", "success")]
    [InlineData("failure", "failure")]
    [InlineData("timed_out", "failure")]
    [InlineData(null, null)]
    [InlineData("action_required", null)]
    public void The_first_heads_checks_are_judged_when_they_conclude(string? conclusion, string? expected)
    {
        var task = Tracking.PullRequestOpened(Dispatched, 40, "u", "sha", "b", At);

        task = Tracking.CheckReported(task, "sha", "check:build", conclusion);

        Assert.Equal(expected, task.FirstHeadChecks);
    }

    [Fact]
    public void The_first_heads_verdict_is_never_changed_by_later_checks_or_heads()
    {
        var task = Tracking.CheckReported(Tracking.PullRequestOpened(Dispatched, 40, "u", "sha1", "b", At), "sha1", "check:build", "failure");
        task = Tracking.CheckReported(task, "sha1", "check:build", "success");
        task = Tracking.PullRequestOpened(task, 40, "u", "sha2", "b", At);
        task = Tracking.CheckReported(task, "sha2", "check:build", "success");

        Assert.Equal(TaskState.ChecksPassing, task.State);
        Assert.Equal("failure", task.FirstHeadChecks);
    }

    [Fact]
    public void A_new_head_before_the_first_head_concluded_supersedes_it()
    {
        var task = Tracking.CheckReported(Tracking.PullRequestOpened(Dispatched, 40, "u", "sha1", "b", At, draft: true), "sha1", "check:build", null);
        task = Tracking.PullRequestOpened(task, 40, "u", "sha2", "b", At, draft: true);
        task = Tracking.CheckReported(task, "sha2", "check:build", "success");

        Assert.Equal(Tracking.Superseded, task.FirstHeadChecks);
    }

    [Fact]
    public void A_draft_heads_checks_are_judged_too_and_only_the_required_ones_decide()
    {
        var task = Tracking.PullRequestOpened(Dispatched with { RequiredChecks = ["build"] }, 40, "u", "sha", "b", At, draft: true);
        task = Tracking.CheckReported(task, "sha", "check:lint", "failure");
        Assert.Null(task.FirstHeadChecks);

        task = Tracking.CheckReported(task, "sha", "check:build", "success");
        Assert.Equal(TaskState.AgentWorking, task.State);
        Assert.Equal("success", task.FirstHeadChecks);
    }

    [Fact]
    public void A_pull_request_closed_unmerged_records_the_reason_and_reopening_clears_it()
    {
        var closed = Tracking.PullRequestClosed(Tracking.PullRequestOpened(Dispatched, 40, "u", "sha", "b", At), merged: false, At, 40);
        Assert.Equal(TaskFailure.PullRequestClosed, closed.Failure);

        var reopened = Tracking.PullRequestOpened(closed, 40, "u", "sha", "b", At);
        Assert.Equal(TaskState.PrOpen, reopened.State);
        Assert.Null(reopened.Failure);
    }
}
