using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.Runs;
using Orchestrator.Tests.Drivers;
using Orchestrator.Tests.Infrastructure;
using Orchestrator.Workflow;

namespace Orchestrator.Tests.Workflow;

/// <summary>What the workflow records for the scoreboard as tasks move: first pull request, first head's checks, why a task failed.</summary>
public sealed class ScoreboardRecordingTests
{
    private const string Dispatches = "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_first_pull_request_and_its_first_heads_checks_are_recorded_and_a_retry_starts_them_over()
    {
        // Arrange: dispatched at 09:00; the pull request opens 40 minutes later and its first head fails
        await using var loop = await DailyLoopDriver.StartAsync();
        var run = await ApprovedAsync(loop, 1);
        var dispatchedAt = Assert.Single(run.Tasks).DispatchedAt;
        loop.Time.Advance(TimeSpan.FromMinutes(40));
        var openedAt = loop.Time.GetUtcNow();
        var first = new string('1', 40);
        var second = new string('2', 40);

        // Act: the first head fails, a second head passes
        await loop.WebhookAsync("pull_request", DailyLoopDriver.PullRequest("opened", 50, "Fixes #1", first, "1-fix"));
        await loop.WebhookAsync("check_suite", DailyLoopDriver.CheckSuite(first, "failure"));
        await loop.DrainAsync();
        loop.Time.Advance(TimeSpan.FromMinutes(20));
        await loop.WebhookAsync("pull_request", DailyLoopDriver.PullRequest("synchronize", 50, "Fixes #1", second, "1-fix"));
        await loop.WebhookAsync("check_suite", DailyLoopDriver.CheckSuite(second, "success"));
        await loop.DrainAsync();
        var passing = Assert.Single((await loop.OnlyRunAsync()).Tasks);
        await loop.WebhookAsync("check_suite", DailyLoopDriver.CheckSuite(second, "failure"));
        await loop.DrainAsync();
        loop.Time.Advance(TimeSpan.FromHours(1));
        var retriedAt = loop.Time.GetUtcNow();
        await loop.CommandAsync("retry", DailyLoopDriver.Approver, run.Discord!.ThreadId, ("issue", 1));
        await loop.DrainAsync();

        // Assert
        Assert.Equal(TaskState.ChecksPassing, passing.State);
        Assert.Equal(openedAt, passing.PullRequestAt);
        Assert.Equal("failure", passing.FirstHeadChecks);
        Assert.Equal(dispatchedAt, passing.DispatchedAt);
        var retried = Assert.Single((await loop.OnlyRunAsync()).Tasks);
        Assert.Equal(TaskState.Dispatched, retried.State);
        Assert.Null(retried.PullRequestAt);
        Assert.Null(retried.FirstHeadChecks);
        Assert.Null(retried.Failure);
        Assert.Equal(retriedAt, retried.DispatchedAt);
    }

    [Fact]
    public async Task A_head_replaced_before_its_checks_concluded_is_recorded_as_superseded()
    {
        // Arrange
        await using var loop = await DailyLoopDriver.StartAsync();
        await ApprovedAsync(loop, 1);
        var first = new string('1', 40);
        var second = new string('2', 40);
        var running = AgentPayloads.CheckRun(first, "build", "success");
        running["check_run"]!["status"] = "in_progress";
        running["check_run"]!["conclusion"] = null;

        // Act: the first head is replaced while its check runs
        await loop.WebhookAsync("pull_request", DailyLoopDriver.PullRequest("opened", 50, "Fixes #1", first, "1-fix"));
        await loop.WebhookAsync("check_run", running);
        await loop.WebhookAsync("pull_request", DailyLoopDriver.PullRequest("synchronize", 50, "Fixes #1", second, "1-fix"));
        await loop.WebhookAsync("check_suite", DailyLoopDriver.CheckSuite(second, "success"));
        await loop.DrainAsync();

        // Assert
        var task = Assert.Single((await loop.OnlyRunAsync()).Tasks);
        Assert.Equal(TaskState.ChecksPassing, task.State);
        Assert.Equal(Tracking.Superseded, task.FirstHeadChecks);
    }

    [Fact]
    public async Task A_pull_request_closed_unmerged_fails_the_task_for_that_reason()
    {
        // Arrange
        await using var loop = await DailyLoopDriver.StartAsync();
        await ApprovedAsync(loop, 1);
        var sha = new string('1', 40);

        // Act
        await loop.WebhookAsync("pull_request", DailyLoopDriver.PullRequest("opened", 50, "Fixes #1", sha, "1-fix"));
        await loop.WebhookAsync("pull_request", DailyLoopDriver.PullRequest("closed", 50, "Fixes #1", sha, "1-fix"));
        await loop.DrainAsync();

        // Assert
        var task = Assert.Single((await loop.OnlyRunAsync()).Tasks);
        Assert.Equal(TaskState.Failed, task.State);
        Assert.Equal(TaskFailure.PullRequestClosed, task.Failure);
    }

    [Fact]
    public async Task An_issue_closed_without_a_pull_request_fails_its_task_for_that_reason()
    {
        // Arrange
        await using var loop = await DailyLoopDriver.StartAsync();
        await ApprovedAsync(loop, 1);

        // Act
        await loop.WebhookAsync("issues", IssueClosed(1));
        await loop.DrainAsync();

        // Assert
        var task = Assert.Single((await loop.OnlyRunAsync()).Tasks);
        Assert.Equal(TaskState.Failed, task.State);
        Assert.Equal(TaskFailure.IssueClosed, task.Failure);
    }

    [Fact]
    public async Task An_agent_workflow_that_ends_without_a_pull_request_fails_the_task_as_the_agents_failure()
    {
        // Arrange
        await using var loop = await DailyLoopDriver.StartAsync();
        var run = await ApprovedAsync(loop, 1);
        var agent = Assert.Single(loop.World.Runs, r => r.DisplayTitle.Contains(run.Tasks[0].CorrelationId, StringComparison.Ordinal));

        // Act
        await loop.WebhookAsync("workflow_run", DailyLoopDriver.WorkflowRun(agent.Id, "Agent", agent.DisplayTitle, "failure"));
        await loop.DrainAsync();

        // Assert
        var task = Assert.Single((await loop.OnlyRunAsync()).Tasks);
        Assert.Equal(TaskState.Failed, task.State);
        Assert.Equal(TaskFailure.Agent, task.Failure);
    }

    [Fact]
    public async Task A_dispatch_GitHub_refuses_fails_the_task_as_a_dispatch_failure()
    {
        // Arrange
        await using var loop = await DailyLoopDriver.StartAsync();
        loop.GitHub.FailNext(HttpMethod.Post, Dispatches, HttpStatusCode.UnprocessableEntity);

        // Act
        var run = await ApprovedAsync(loop, 1);

        // Assert
        var task = Assert.Single(run.Tasks);
        Assert.Equal(TaskState.Failed, task.State);
        Assert.Equal(TaskFailure.Dispatch, task.Failure);
    }

    private static async Task<Run> ApprovedAsync(DailyLoopDriver loop, int issues)
    {
        for (var i = 1; i <= issues; i++)
        {
            loop.World.AddIssue($"Issue {i}", null, "ready");
        }

        var (run, interaction) = await loop.PlanAsync();
        return await loop.ApproveAsync(run, interaction);
    }

    /// <summary>issues closed, from the published reopened example (there is no closed one) with this world's numbers.</summary>
    private static JsonObject IssueClosed(int issue)
    {
        var payload = WebhookExamples.Get("issues", "reopened");
        payload["action"] = "closed";
        payload["repository"]!["full_name"] = DailyLoopDriver.Repo;
        payload["repository"]!["name"] = "app";
        payload["issue"]!["number"] = issue;
        payload["issue"]!["state"] = "closed";
        return payload;
    }
}
