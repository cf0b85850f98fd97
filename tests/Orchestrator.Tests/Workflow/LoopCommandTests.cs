using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Runs;
using Orchestrator.Storage;
using Orchestrator.Tests.Drivers;
using Orchestrator.Tests.Fakes;

namespace Orchestrator.Tests.Workflow;

/// <summary>The loop's other commands and buttons, each against the running service and the fakes.</summary>
public sealed class LoopCommandTests
{
    private const string Dispatches = "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Status_answers_from_the_store_at_once_and_the_latest_deploys_follow()
    {
        // Arrange
        await using var loop = await DailyLoopDriver.StartAsync();
        var (run, _) = await PlannedAsync(loop, 2);
        var deploy = loop.World.Workflows.Single(w => w.FileName == "deploy.yml");
        loop.World.Runs.Add(new FakeWorkflowRun(77, deploy.Id, deploy.Path, deploy.Name, "Deploy of yesterday", "workflow_dispatch", "main", 1, loop.Time.GetUtcNow().AddDays(-1))
        {
            Status = "completed",
            Conclusion = "success",
        });
        var before = loop.GitHub.Requests.Count;

        // Act
        var (answer, interaction) = await loop.CommandAsync("status", DailyLoopDriver.Stranger);
        var duringInteraction = loop.GitHub.Requests.Count - before;
        await loop.DrainAsync();

        // Assert: type 4 from the store (the only active run in detail), and GitHub heard nothing until the follow-up job ran
        Assert.Equal(4, answer["type"]!.GetValue<int>());
        var embed = answer["data"]!["embeds"]![0]!;
        Assert.Contains(run.Id.Value, embed["title"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("**State:** pending", embed["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, duringInteraction);
        var followUp = Assert.Single(loop.Discord.FollowUps(interaction));
        Assert.Contains("Latest deploys of `octo/app`", followUp.Content, StringComparison.Ordinal);
        Assert.Contains("Deploy of yesterday", followUp.Content, StringComparison.Ordinal);
        Assert.Contains("completed/success", followUp.Content, StringComparison.Ordinal);
        Assert.Equal(64, followUp.Flags);
    }

    [Fact]
    public async Task A_held_plan_is_approved_but_not_dispatched_until_the_hold_is_released()
    {
        // Arrange
        await using var loop = await DailyLoopDriver.StartAsync();
        var (run, buttons) = await PlannedAsync(loop, 2);
        var (held, _) = await loop.CommandAsync("hold", DailyLoopDriver.Approver, run.Discord!.ThreadId);

        // Act: approving a held plan dispatches nothing
        await loop.ClickAsync($"approve:{run.Id}", DailyLoopDriver.Approver, buttons);
        await loop.DrainAsync();
        var waiting = await loop.OnlyRunAsync();
        var dispatchedWhileHeld = loop.GitHub.EffectCount("actions/create-workflow-dispatch");
        var (released, _) = await loop.CommandAsync("hold", DailyLoopDriver.Approver, run.Discord.ThreadId, ("release", true));
        await loop.DrainAsync();

        // Assert
        Assert.Contains("is on hold", Content(held), StringComparison.Ordinal);
        Assert.True(waiting.OnHold);
        Assert.All(waiting.Tasks, t => Assert.Equal(TaskState.Queued, t.State));
        Assert.Equal(0, dispatchedWhileHeld);
        Assert.Contains("no longer on hold", Content(released), StringComparison.Ordinal);
        var dispatched = await loop.OnlyRunAsync();
        Assert.False(dispatched.OnHold);
        Assert.All(dispatched.Tasks, t => Assert.Equal(TaskState.Dispatched, t.State));
        Assert.Equal(2, loop.GitHub.EffectCount("actions/create-workflow-dispatch"));
        Assert.Contains(loop.Thread(dispatched), m => m.Content.Contains("put on hold by", StringComparison.Ordinal));
        Assert.Contains(loop.Thread(dispatched), m => m.Content.Contains("Hold lifted by", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cancel_stops_an_approved_run_before_its_dispatch_and_later_events_change_nothing()
    {
        // Arrange: approved, its dispatch job not run yet
        await using var loop = await DailyLoopDriver.StartAsync();
        var (run, buttons) = await PlannedAsync(loop, 1);
        await loop.ClickAsync($"approve:{run.Id}", DailyLoopDriver.Approver, buttons);

        // Act
        var (cancelled, _) = await loop.CommandAsync("cancel", DailyLoopDriver.Approver, run.Discord!.ThreadId, ("reason", "wrong sprint"));
        await loop.DrainAsync();
        var after = await loop.OnlyRunAsync();
        await loop.WebhookAsync("pull_request", DailyLoopDriver.PullRequest("opened", 70, "Fixes #1", new string('d', 40), "1-fix"));
        await loop.DrainAsync();

        // Assert
        Assert.Contains("cancelled", Content(cancelled), StringComparison.Ordinal);
        Assert.Equal(RunState.Cancelled, after.State);
        Assert.Equal("wrong sprint", after.Reason);
        Assert.Equal(0, loop.GitHub.EffectCount("actions/create-workflow-dispatch"));
        Assert.Equal(after.Version, (await loop.OnlyRunAsync()).Version);
        Assert.Contains(loop.Thread(after), m => m.Content.Contains("Run cancelled by User 2: wrong sprint", StringComparison.Ordinal));
        var audit = await loop.App.Services.GetRequiredService<IAuditLog>().ListByRunAsync(run.Id.Value, Ct);
        Assert.Contains(audit, a => a.Action == "cancel" && a.Detail == "wrong sprint");
    }

    [Fact]
    public async Task Retry_dispatches_a_task_whose_agent_failed_again_and_only_that_task()
    {
        // Arrange: the agent's run for #1 fails without a pull request
        await using var loop = await DailyLoopDriver.StartAsync();
        var run = await ApprovedAsync(loop, 2);
        var failedTask = run.Tasks[0];
        await AgentFailsAsync(loop, failedTask);
        var failed = await loop.OnlyRunAsync();

        // Act
        var (answer, _) = await loop.CommandAsync("retry", DailyLoopDriver.Approver, run.Discord!.ThreadId, ("issue", failedTask.IssueNumber));
        await loop.DrainAsync();

        // Assert
        Assert.Equal(TaskState.Failed, failed.Tasks[0].State);
        Assert.Contains("without a pull request", failed.Tasks[0].LastError, StringComparison.Ordinal);
        Assert.Contains("dispatched again (attempt 2)", Content(answer), StringComparison.Ordinal);
        var retried = await loop.OnlyRunAsync();
        Assert.Equal(TaskState.Dispatched, retried.Tasks[0].State);
        Assert.Equal(1, retried.Tasks[0].Attempts);
        Assert.Equal(TaskState.Dispatched, retried.Tasks[1].State);
        Assert.Equal(3, loop.GitHub.EffectCount("actions/create-workflow-dispatch"));
        Assert.Equal(2, loop.World.Runs.Count(r => r.DisplayTitle.Contains(failedTask.CorrelationId, StringComparison.Ordinal)));
        Assert.Single(loop.World.Runs, r => r.DisplayTitle.Contains(run.Tasks[1].CorrelationId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_retried_dispatch_that_GitHub_refused_is_sent_again_not_mistaken_for_the_first_attempt()
    {
        // Arrange: #1's agent failed an hour after its dispatch; the retry's dispatch fails before GitHub acts.
        await using var loop = await DailyLoopDriver.StartAsync();
        var run = await ApprovedAsync(loop, 1);
        var task = Assert.Single(run.Tasks);
        loop.Time.Advance(TimeSpan.FromHours(1));
        await AgentFailsAsync(loop, task);
        loop.GitHub.FailNext(HttpMethod.Post, Dispatches, HttpStatusCode.BadGateway);

        // Act
        await loop.CommandAsync("retry", DailyLoopDriver.Approver, run.Discord!.ThreadId, ("issue", task.IssueNumber));
        await loop.DrainAsync();

        // Assert: the earlier, failed run does not count as this attempt's dispatch
        Assert.Equal(2, loop.World.Runs.Count(r => r.DisplayTitle.Contains(task.CorrelationId, StringComparison.Ordinal)));
        Assert.Equal(2, loop.GitHub.EffectCount("actions/create-workflow-dispatch"));
        Assert.Equal(TaskState.Dispatched, Assert.Single((await loop.OnlyRunAsync()).Tasks).State);
    }

    [Fact]
    public async Task The_Reject_button_closes_the_plan_without_dispatching()
    {
        // Arrange
        await using var loop = await DailyLoopDriver.StartAsync();
        var (run, buttons) = await PlannedAsync(loop, 2);

        // Act
        var answer = await loop.ClickAsync($"reject:{run.Id}", DailyLoopDriver.Approver, buttons);
        await loop.DrainAsync();

        // Assert: the buttons go away in place
        Assert.Equal(7, answer["type"]!.GetValue<int>());
        Assert.Contains("rejected", Content(answer), StringComparison.Ordinal);
        Assert.Empty(answer["data"]!["components"]!.AsArray());
        var rejected = await loop.OnlyRunAsync();
        Assert.Equal(RunState.Rejected, rejected.State);
        Assert.Equal(0, loop.GitHub.EffectCount("actions/create-workflow-dispatch"));
        Assert.Contains(loop.Thread(rejected), m => m.Content.Contains("Plan rejected by", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_plan_for_an_unknown_repository_is_answered_to_the_caller_only()
    {
        // Arrange
        await using var loop = await DailyLoopDriver.StartAsync();

        // Act
        var (answer, _) = await loop.CommandAsync("plan", DailyLoopDriver.Requester, null, ("repo", "octo/elsewhere"));
        await loop.DrainAsync();

        // Assert
        Assert.Equal(4, answer["type"]!.GetValue<int>());
        Assert.Equal(64, answer["data"]!["flags"]!.GetValue<int>());
        Assert.Contains("`octo/elsewhere` is not a configured repository", Content(answer), StringComparison.Ordinal);
        Assert.Contains("`octo/app`", Content(answer), StringComparison.Ordinal);
        Assert.Empty(loop.GitHub.Requests);
        Assert.Empty(await loop.Runs.ListLatestAsync(5, Ct));
    }

    [Fact]
    public async Task Autocomplete_of_repo_offers_the_configured_repositories_that_match()
    {
        // Arrange
        await using var loop = await DailyLoopDriver.StartAsync(new Dictionary<string, string?>
        {
            ["Orchestrator:Repositories:1:Name"] = "octo/api",
            ["Orchestrator:Repositories:1:Executor:Workflow"] = "agent.yml",
        });

        // Act
        var both = await loop.AutocompleteAsync("plan", "repo", "octo/ap", DailyLoopDriver.Stranger);
        var one = await loop.AutocompleteAsync("plan", "repo", "API", DailyLoopDriver.Stranger);

        // Assert
        Assert.Equal(8, both["type"]!.GetValue<int>());
        Assert.Equal(["octo/app", "octo/api"], Choices(both));
        Assert.Equal(["octo/api"], Choices(one));
    }

    [Fact]
    public async Task A_click_on_an_already_approved_plan_is_refused_and_dispatches_nothing_more()
    {
        // Arrange
        await using var loop = await DailyLoopDriver.StartAsync();
        var (run, buttons) = await PlannedAsync(loop, 2);
        await loop.ApproveAsync(run, buttons);

        // Act
        var again = await loop.ClickAsync($"approve:{run.Id}", DailyLoopDriver.Approver, buttons);
        await loop.DrainAsync();

        // Assert
        Assert.Equal(64, again["data"]!["flags"]!.GetValue<int>());
        Assert.Contains("only a pending plan can be approved", Content(again), StringComparison.Ordinal);
        Assert.Equal(2, loop.GitHub.EffectCount("actions/create-workflow-dispatch"));
        Assert.Equal(RunState.InProgress, (await loop.OnlyRunAsync()).State);
        var audit = await loop.App.Services.GetRequiredService<IAuditLog>().ListByRunAsync(run.Id.Value, Ct);
        Assert.Contains(audit, a => a.Action == "approve" && a.Outcome == AuditOutcome.Refused);
    }

    [Fact]
    public async Task After_15_minutes_the_plan_is_posted_in_its_thread_instead_of_editing_the_answer()
    {
        // Arrange
        await using var loop = await DailyLoopDriver.StartAsync();
        loop.World.AddIssue("One", null, "ready");
        var (_, interaction) = await loop.CommandAsync("plan", DailyLoopDriver.Requester);

        // Act: the plan job runs only after Discord stopped accepting the interaction's token
        loop.Time.Advance(TimeSpan.FromMinutes(16));
        await loop.DrainAsync();

        // Assert
        var run = await loop.OnlyRunAsync();
        var original = loop.Discord.Original(interaction);
        Assert.Empty(original.Content);
        Assert.Empty(original.History);
        Assert.Empty(loop.Discord.RequestsTo("update_original_webhook_message"));
        var ready = Assert.Single(loop.Thread(run), m => m.Content.Contains($"Plan **{run.Id}**", StringComparison.Ordinal));
        Assert.Contains($"approve:{run.Id}", ready.Components.ToJsonString(), StringComparison.Ordinal);
    }

    private static string Content(JsonObject answer) => answer["data"]!["content"]!.GetValue<string>();

    private static string[] Choices(JsonObject answer) =>
        [.. answer["data"]!["choices"]!.AsArray().Select(c => c!["value"]!.GetValue<string>())];

    /// <summary>A pending plan of <paramref name="issues"/> ready issues, and the message that carries its buttons.</summary>
    private static async Task<(Run Run, string Buttons)> PlannedAsync(DailyLoopDriver loop, int issues)
    {
        for (var i = 1; i <= issues; i++)
        {
            loop.World.AddIssue($"Issue {i}", null, "ready");
        }

        var (run, interaction) = await loop.PlanAsync();
        return (run, loop.Discord.Original(interaction).Id);
    }

    private static async Task<Run> ApprovedAsync(DailyLoopDriver loop, int issues)
    {
        var (run, buttons) = await PlannedAsync(loop, issues);
        return await loop.ApproveAsync(run, buttons);
    }

    /// <summary>The agent's workflow run for a task completes with failure, and GitHub reports it.</summary>
    private static async Task AgentFailsAsync(DailyLoopDriver loop, RunTask task)
    {
        var agent = loop.World.Runs.Last(r => r.DisplayTitle.Contains(task.CorrelationId, StringComparison.Ordinal));
        agent.Status = "completed";
        agent.Conclusion = "failure";
        await loop.WebhookAsync("workflow_run", DailyLoopDriver.WorkflowRun(agent.Id, "Agent", agent.DisplayTitle, "failure"));
        await loop.DrainAsync();
    }
}
