using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Runs;
using Orchestrator.Storage;
using Orchestrator.Tests.Drivers;
using Orchestrator.Tests.Fakes;
using Orchestrator.Workflow;

namespace Orchestrator.Tests.Workflow;

/// <summary>
/// Each coding agent's flow end to end: the real service against the OpenAPI-checked GitHub and Discord fakes, the
/// agent's side played from its own documentation (what it calls, the branches and comments it makes) with webhook
/// payloads from GitHub's published examples.
/// </summary>
public sealed class AgentFlowTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Copilot_is_assigned_its_draft_is_linked_by_the_timeline_its_ci_approved_and_it_ships()
    {
        // Arrange: two ready issues, so Copilot's branch alone cannot tell which one its pull request serves
        await using var loop = await DailyLoopDriver.StartAsync(new Dictionary<string, string?>
        {
            ["Orchestrator:Repositories:0:Executor:Kind"] = "Copilot",
            ["Orchestrator:Repositories:0:Executor:Instructions"] = "Keep the change small.",
            ["Orchestrator:Repositories:0:Executor:Model"] = "claude-sonnet-4.5",
            ["Orchestrator:Repositories:0:Executor:BaseBranch"] = "main",
        });
        var world = loop.World;
        world.AddIssue("Login fails with SSO", null, "ready");
        var export = world.AddIssue("Export to CSV", null, "ready");
        var (planned, interaction) = await loop.PlanAsync();

        // Act 1: approve → the issue is assigned to Copilot with its agent assignment
        var run = await loop.ApproveAsync(planned, interaction);
        var task = run.Task(export.Number)!;

        // Assert 1
        Assert.Contains(GitHubFake.CopilotLogin, export.Assignees);
        var assign = JsonNode.Parse(loop.GitHub.RequestsTo("issues/add-assignees")[^1].Body!)!;
        Assert.Equal(GitHubFake.CopilotLogin, assign["assignees"]![0]!.GetValue<string>());
        var assignment = assign["agent_assignment"]!;
        Assert.Equal(DailyLoopDriver.Repo, assignment["target_repo"]!.GetValue<string>());
        Assert.Equal("main", assignment["base_branch"]!.GetValue<string>());
        Assert.Equal("claude-sonnet-4.5", assignment["model"]!.GetValue<string>());
        Assert.StartsWith("Keep the change small.", assignment["custom_instructions"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(task.CorrelationId, assignment["custom_instructions"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains($"/issues/{export.Number}", assignment["custom_instructions"]!.GetValue<string>(), StringComparison.Ordinal);

        // Act 2: Copilot opens a draft on copilot/… whose body does not say "Fixes"; GitHub cross-references the issue
        var pull = world.OpenPullRequest("Add CSV export", "copilot/add-csv-export", "Working on it. Plan: …", "Copilot", draft: true);
        export.CrossReferencedBy.Add(pull.Number);
        await loop.WebhookAsync("pull_request", AgentPayloads.PullRequest("opened", pull));
        await loop.DrainAsync();
        var working = (await loop.OnlyRunAsync()).Task(export.Number)!;

        // Its CI waits for approval (action_required); the thread shows the Approve CI button
        var ci = world.AddRun("CI", pull.Head, pull.HeadSha, "pull_request", "completed", "action_required", loop.Time.GetUtcNow());
        await loop.WebhookAsync("workflow_run", AgentPayloads.WorkflowRun(ci));
        await loop.DrainAsync();
        var waiting = (await loop.OnlyRunAsync()).Task(export.Number)!;
        var notice = Assert.Single(loop.Thread(run), m => m.Components.ToJsonString().Contains($"approve-ci:{run.Id}:{export.Number}", StringComparison.Ordinal));

        // An approver clicks Approve CI; the runs are approved and go green; Copilot marks the draft ready; it is merged
        var clicked = await loop.ClickAsync($"approve-ci:{run.Id}:{export.Number}", DailyLoopDriver.Approver, notice.Id, run.Discord!.ThreadId);
        await loop.DrainAsync();
        var approved = (await loop.OnlyRunAsync()).Task(export.Number)!;
        ci.Status = "completed";
        ci.Conclusion = "success";
        await loop.WebhookAsync("workflow_run", AgentPayloads.WorkflowRun(ci));
        await loop.WebhookAsync("check_run", AgentPayloads.CheckRun(pull.HeadSha, "build", "success"));
        pull.Draft = false;
        await loop.WebhookAsync("pull_request", AgentPayloads.PullRequest("ready_for_review", pull));
        await loop.DrainAsync();
        var ready = (await loop.OnlyRunAsync()).Task(export.Number)!;
        pull.Merge(loop.Time.GetUtcNow());
        await loop.WebhookAsync("pull_request", AgentPayloads.PullRequest("closed", pull));
        await loop.DrainAsync();
        var merged = (await loop.OnlyRunAsync()).Task(export.Number)!;

        // Assert 2
        Assert.Equal(TaskState.AgentWorking, working.State);
        Assert.Equal(pull.Number, working.PullRequestNumber);
        Assert.Equal("issue timeline", working.LinkedBy);
        Assert.Equal(TaskState.NeedsApproval, waiting.State);
        Assert.Equal(7, clicked["type"]!.GetValue<int>());
        Assert.Equal(1, loop.GitHub.EffectCount("actions/approve-workflow-run"));
        Assert.NotEqual(TaskState.NeedsApproval, approved.State);
        Assert.Equal(TaskState.ChecksPassing, ready.State);
        Assert.Equal(TaskState.Merged, merged.State);
        Assert.True(Tracking.IsShippable(merged));
        var audit = await loop.App.Services.GetRequiredService<IAuditLog>().ListByRunAsync(run.Id.Value, Ct);
        Assert.Contains(audit, a => a.Action == "approve-ci" && a.Actor == "discord:" + DailyLoopDriver.Approver);
    }

    [Fact]
    public async Task Claude_is_triggered_by_comment_and_the_service_opens_exactly_one_pull_request_for_its_branch()
    {
        // Arrange
        await using var loop = await DailyLoopDriver.StartAsync(new Dictionary<string, string?> { ["Orchestrator:Repositories:0:Executor:Kind"] = "Claude" });
        var issue = loop.World.AddIssue("Export to CSV", null, "ready");
        var (planned, interaction) = await loop.PlanAsync();

        // Act: approve → trigger comment; Claude pushes claude/issue-N-… and opens no pull request
        var run = await loop.ApproveAsync(planned, interaction);
        var trigger = Assert.Single(issue.Comments);
        var branch = $"claude/issue-{issue.Number}-20261125-0905";
        loop.World.Push(branch);
        var created = AgentPayloads.BranchCreated(branch);
        await loop.WebhookAsync("create", created);
        await loop.WebhookAsync("create", created); // GitHub may deliver twice; a push of the same branch also arrives
        await loop.DrainAsync();
        var linked = (await loop.OnlyRunAsync()).Task(issue.Number)!;
        var pull = Assert.Single(loop.World.Issues, i => i.IsPullRequest);
        await loop.WebhookAsync("pull_request", AgentPayloads.PullRequest("opened", pull)); // GitHub tells us about the one we opened
        await loop.WebhookAsync("check_run", AgentPayloads.CheckRun(pull.HeadSha, "build", "success"));
        pull.Merge(loop.Time.GetUtcNow());
        await loop.WebhookAsync("pull_request", AgentPayloads.PullRequest("closed", pull));
        await loop.DrainAsync();

        // Assert
        Assert.StartsWith("@claude ", trigger.Body, StringComparison.Ordinal);
        Assert.Contains(run.Task(issue.Number)!.CorrelationId, trigger.Body, StringComparison.Ordinal);
        Assert.Equal(1, loop.GitHub.EffectCount("pulls/create"));
        Assert.Equal(branch, pull.Head);
        Assert.Equal("Export to CSV", pull.Title);
        Assert.StartsWith($"Fixes #{issue.Number}", pull.Body, StringComparison.Ordinal);
        Assert.Contains(run.Task(issue.Number)!.CorrelationId, pull.Body, StringComparison.Ordinal);
        Assert.Equal(pull.Number, linked.PullRequestNumber);
        var merged = (await loop.OnlyRunAsync()).Task(issue.Number)!;
        Assert.Equal(TaskState.Merged, merged.State);
        Assert.True(Tracking.IsShippable(merged));
    }

    [Fact]
    public async Task A_crash_between_the_branch_push_and_recording_the_pull_request_never_opens_two()
    {
        // Arrange: GitHub creates the pull request but the answer is lost (a 502 after the work)
        await using var loop = await DailyLoopDriver.StartAsync(new Dictionary<string, string?> { ["Orchestrator:Repositories:0:Executor:Kind"] = "Claude" });
        var issue = loop.World.AddIssue("Export to CSV", null, "ready");
        var (planned, interaction) = await loop.PlanAsync();
        await loop.ApproveAsync(planned, interaction);
        var branch = $"claude/issue-{issue.Number}-20261125-0905";
        loop.World.Push(branch);
        loop.GitHub.FailNextAfterHandling(HttpMethod.Post, "/repos/{owner}/{repo}/pulls", System.Net.HttpStatusCode.BadGateway);

        // Act
        await loop.WebhookAsync("create", AgentPayloads.BranchCreated(branch));
        await loop.DrainAsync();

        // Assert
        Assert.Single(loop.World.Issues, i => i.IsPullRequest);
        Assert.Equal(1, loop.GitHub.EffectCount("pulls/create"));
        var task = (await loop.OnlyRunAsync()).Task(issue.Number)!;
        Assert.Equal(loop.World.Issues.Single(i => i.IsPullRequest).Number, task.PullRequestNumber);
    }

    [Fact]
    public async Task Claude_error_tracking_comment_fails_the_task_with_the_agents_reason()
    {
        // Arrange
        await using var loop = await DailyLoopDriver.StartAsync(new Dictionary<string, string?> { ["Orchestrator:Repositories:0:Executor:Kind"] = "Claude" });
        var issue = loop.World.AddIssue("Export to CSV", null, "ready");
        var (planned, interaction) = await loop.PlanAsync();
        var run = await loop.ApproveAsync(planned, interaction);
        var working = "Claude Code is working… <img src=\"https://github.com/user-attachments/assets/spinner.gif\" width=\"14px\" height=\"14px\" />";

        // Act: the tracking comment is created, then edited with the outcome
        await loop.WebhookAsync("issue_comment", AgentPayloads.IssueComment("created", issue.Number, working, "claude[bot]"));
        await loop.WebhookAsync("issue_comment", AgentPayloads.IssueComment("edited", issue.Number, AgentPayloads.ClaudeErrorComment, "claude[bot]"));
        await loop.DrainAsync();

        // Assert
        var task = (await loop.OnlyRunAsync()).Task(issue.Number)!;
        Assert.Equal(TaskState.Failed, task.State);
        Assert.Contains("API Error: 529 Overloaded", task.LastError, StringComparison.Ordinal);
        Assert.Equal(TaskFailure.Agent, task.Failure);
        Assert.Contains(loop.Thread(run), m => m.Content.Contains("The agent failed on", StringComparison.Ordinal) && m.Content.Contains("529", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_person_pasting_an_agents_failure_text_does_not_fail_the_task()
    {
        // Arrange
        await using var loop = await DailyLoopDriver.StartAsync(new Dictionary<string, string?> { ["Orchestrator:Repositories:0:Executor:Kind"] = "Claude" });
        var issue = loop.World.AddIssue("Export to CSV", null, "ready");
        var (planned, interaction) = await loop.PlanAsync();
        await loop.ApproveAsync(planned, interaction);

        // Act: a person (a User account, not an app) posts the agent's failure text
        await loop.WebhookAsync("issue_comment", AgentPayloads.IssueComment("created", issue.Number, AgentPayloads.ClaudeErrorComment, "mallory"));
        await loop.DrainAsync();

        // Assert
        Assert.Equal(TaskState.Dispatched, (await loop.OnlyRunAsync()).Task(issue.Number)!.State);
    }

    [Fact]
    public async Task OpenHands_is_started_by_its_label_and_its_draft_pull_request_is_followed_to_merge()
    {
        // Arrange
        await using var loop = await DailyLoopDriver.StartAsync(new Dictionary<string, string?> { ["Orchestrator:Repositories:0:Executor:Kind"] = "OpenHands" });
        var issue = loop.World.AddIssue("Export to CSV", null, "ready");
        var (planned, interaction) = await loop.PlanAsync();

        // Act
        await loop.ApproveAsync(planned, interaction);
        var branch = $"openhands-fix-issue-{issue.Number}";
        loop.World.Push(branch);
        var pull = loop.World.OpenPullRequest($"Fix issue #{issue.Number}: Export to CSV", branch, "This pull request fixes the issue.", "openhands-agent", draft: true);
        await loop.WebhookAsync("pull_request", AgentPayloads.PullRequest("opened", pull));
        await loop.DrainAsync();
        var working = (await loop.OnlyRunAsync()).Task(issue.Number)!;
        pull.Draft = false;
        await loop.WebhookAsync("pull_request", AgentPayloads.PullRequest("ready_for_review", pull));
        pull.Merge(loop.Time.GetUtcNow());
        await loop.WebhookAsync("pull_request", AgentPayloads.PullRequest("closed", pull));
        await loop.DrainAsync();

        // Assert
        Assert.Contains("fix-me", issue.Labels);
        Assert.Equal(TaskState.AgentWorking, working.State);
        Assert.Equal("agent branch", working.LinkedBy);
        Assert.Equal(TaskState.Merged, (await loop.OnlyRunAsync()).Task(issue.Number)!.State);
    }

    [Fact]
    public async Task OpenHands_failure_comment_fails_the_task()
    {
        // Arrange
        await using var loop = await DailyLoopDriver.StartAsync(new Dictionary<string, string?> { ["Orchestrator:Repositories:0:Executor:Kind"] = "OpenHands" });
        var issue = loop.World.AddIssue("Export to CSV", null, "ready");
        var (planned, interaction) = await loop.PlanAsync();
        await loop.ApproveAsync(planned, interaction);

        // Act
        await loop.WebhookAsync("issue_comment", AgentPayloads.IssueComment("created", issue.Number, "The workflow to fix this issue encountered an error. Openhands failed to create any code changes.", "github-actions[bot]"));
        await loop.DrainAsync();

        // Assert
        var task = (await loop.OnlyRunAsync()).Task(issue.Number)!;
        Assert.Equal(TaskState.Failed, task.State);
        Assert.Contains("failed to create any code changes", task.LastError, StringComparison.Ordinal);
        Assert.Equal(TaskFailure.Agent, task.Failure);
    }

    [Fact]
    public async Task Workflow_dispatch_records_the_returned_run_id_without_searching_runs()
    {
        // Arrange
        await using var loop = await DailyLoopDriver.StartAsync();
        loop.World.AddIssue("Export to CSV", null, "ready");
        var (planned, interaction) = await loop.PlanAsync();

        // Act
        var run = await loop.ApproveAsync(planned, interaction);

        // Assert
        var dispatched = Assert.Single(loop.World.Runs, r => r.Name == "Agent");
        Assert.Equal(dispatched.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(run.Tasks).DispatchId);
        Assert.Contains("\"return_run_details\":true", loop.GitHub.RequestsTo("actions/create-workflow-dispatch").Single().Body, StringComparison.Ordinal);
        Assert.Empty(loop.GitHub.RequestsTo("actions/list-workflow-runs"));
    }

    [Fact]
    public async Task Workflow_dispatch_answered_204_falls_back_to_the_correlation_name_search()
    {
        // Arrange: an older GitHub Enterprise Server answers 204 without run details
        await using var loop = await DailyLoopDriver.StartAsync();
        loop.GitHub.ReturnsRunDetails = false;
        loop.World.AddIssue("Export to CSV", null, "ready");
        var (planned, interaction) = await loop.PlanAsync();

        // Act
        var run = await loop.ApproveAsync(planned, interaction);

        // Assert
        var dispatched = Assert.Single(loop.World.Runs, r => r.Name == "Agent");
        Assert.Equal(dispatched.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(run.Tasks).DispatchId);
        Assert.Equal(204, loop.GitHub.RequestsTo("actions/create-workflow-dispatch").Single().Status);
        Assert.NotEmpty(loop.GitHub.RequestsTo("actions/list-workflow-runs"));
    }
}
