using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Runs;
using Orchestrator.Storage;
using Orchestrator.Tests.Drivers;
using Orchestrator.Tests.Fakes;
using Orchestrator.Workflow;

namespace Orchestrator.Tests.Workflow;

/// <summary>One full execution of the loop, from /plan to the shipped summary, against OpenAPI-checked fakes.</summary>
public sealed class DailyLoopTests
{
    [Fact]
    public async Task A_plan_is_approved_dispatched_tracked_shipped_and_summarised()
    {
        await using var loop = await DailyLoopDriver.StartAsync();
        var world = loop.World;
        var login = world.AddIssue("Login fails with SSO", "Steps…", "ready", "bug");
        var export = world.AddIssue("Export to CSV", null, "ready");
        var flaky = world.AddIssue("@everyone look **here**", null, "ready");
        world.AddIssue("Not ready yet", null, "idea");
        world.AddPullRequest("A PR is not an issue", "feature", "main", "ready");

        // /plan answers at once with a deferred response; the plan job does the rest.
        var (planned, planInteraction) = await loop.CommandAsync("plan", DailyLoopDriver.Requester);
        Assert.Equal(5, planned["type"]!.GetValue<int>());
        await loop.DrainAsync();

        var run = await loop.OnlyRunAsync();
        Assert.Equal(RunState.Pending, run.State);
        Assert.Equal([login.Number, export.Number, flaky.Number], run.Tasks.Select(t => t.IssueNumber));
        var original = loop.Discord.Original(planInteraction);
        Assert.Contains(run.Id.Value, original.Content, StringComparison.Ordinal);
        Assert.Contains($"approve:{run.Id}", original.Components.ToJsonString(), StringComparison.Ordinal);
        var proposal = Assert.Single(loop.Discord.Messages(loop.Channel), m => EmbedText(m).Contains("Daily Plan Proposal", StringComparison.Ordinal));
        Assert.Equal("Daily Plan — 2026-11-25", proposal.Thread!.Name);
        Assert.Equal(1440, proposal.Thread.AutoArchiveDuration);
        Assert.DoesNotContain("@everyone", EmbedText(proposal), StringComparison.Ordinal);

        // Approve with the button: every issue is dispatched to the agent workflow with its correlation id.
        var approved = await loop.ClickAsync($"approve:{run.Id}", DailyLoopDriver.Approver, original.Id);
        Assert.Equal(7, approved["type"]!.GetValue<int>());
        await loop.DrainAsync();

        run = await loop.OnlyRunAsync();
        Assert.Equal(RunState.InProgress, run.State);
        Assert.All(run.Tasks, t => Assert.Equal(TaskState.Dispatched, t.State));
        Assert.Equal(3, loop.GitHub.EffectCount("actions/create-workflow-dispatch"));
        Assert.All(run.Tasks, t => Assert.Single(world.Runs, r => r.DisplayTitle.Contains(t.CorrelationId, StringComparison.Ordinal)));

        // The agents open pull requests; checks go green; the pull requests are merged.
        var pr = 100;
        foreach (var task in run.Tasks)
        {
            var sha = $"{task.IssueNumber:D4}".PadRight(40, 'a');
            await loop.WebhookAsync("pull_request", DailyLoopDriver.PullRequest("opened", ++pr, $"Fixes #{task.IssueNumber}", sha, $"{task.IssueNumber}-agent"));
            await loop.WebhookAsync("check_suite", DailyLoopDriver.CheckSuite(sha, "success"));
            await loop.WebhookAsync("pull_request", DailyLoopDriver.PullRequest("closed", pr, $"Fixes #{task.IssueNumber}", sha, $"{task.IssueNumber}-agent", merged: true));
        }

        var delivered = loop.Time.GetUtcNow();
        await loop.DrainAsync();
        run = await loop.OnlyRunAsync();
        Assert.All(run.Tasks, t => Assert.Equal(TaskState.Merged, t.State));
        Assert.All(run.Tasks, t => Assert.True(Tracking.IsShippable(t)));
        Assert.All(run.Tasks, t => Assert.Equal(("success", delivered), (t.FirstHeadChecks, t.PullRequestAt)));
        var thread = loop.Thread(run);
        Assert.Contains(thread, m => m.Content.Contains("ready to `/ship`", StringComparison.Ordinal));
        Assert.Equal(3, thread.Count(m => m.Content.Contains("opened for", StringComparison.Ordinal)));
        var status = Assert.Single(thread, m => m.Id == run.Discord!.StatusMessageId);
        Assert.Contains("merged · [PR #101]", EmbedText(status), StringComparison.Ordinal);

        // /ship in the thread dispatches the deploy; its workflow_run completes it.
        var (shipped, _) = await loop.CommandAsync("ship", DailyLoopDriver.Approver, run.Discord!.ThreadId);
        Assert.Contains("Shipping", shipped["data"]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        await loop.DrainAsync();
        run = await loop.OnlyRunAsync();
        Assert.Equal(RunState.Shipping, run.State);
        var deploy = Assert.Single(world.Runs, r => r.Name == "Deploy");
        Assert.Contains(run.Ship!.CorrelationId, deploy.DisplayTitle, StringComparison.Ordinal);

        await loop.WebhookAsync("workflow_run", DailyLoopDriver.WorkflowRun(deploy.Id, "Deploy", deploy.DisplayTitle, "success"));
        await loop.DrainAsync();

        run = await loop.OnlyRunAsync();
        Assert.Equal(RunState.Completed, run.State);
        Assert.All([login, export, flaky], issue =>
        {
            Assert.Equal("closed", issue.State);
            Assert.Contains(issue.Comments, c => c.Body.Contains(run.Id.Value, StringComparison.Ordinal));
        });
        var summary = Assert.Single(loop.Thread(run), m => EmbedText(m).Contains("Shipped — run", StringComparison.Ordinal));
        Assert.Contains("3** of 3 task(s) merged", EmbedText(summary), StringComparison.Ordinal);
        Assert.Contains("\n**workflow**: 3 tasks, 3 merged (median 1h)\n", EmbedText(summary), StringComparison.Ordinal);
        Assert.Equal(4, loop.GitHub.EffectCount("actions/create-workflow-dispatch"));
        Assert.Empty(await loop.App.Services.GetRequiredService<IJobQueue>().ListDeadLetteredAsync(10, TestContext.Current.CancellationToken));
        var audit = await loop.App.Services.GetRequiredService<IAuditLog>().ListByRunAsync(run.Id.Value, TestContext.Current.CancellationToken);
        Assert.Contains(audit, a => a.Action == "approve" && a.Actor == "discord:" + DailyLoopDriver.Approver);
        Assert.Contains(audit, a => a.Action == "ship");
    }

    /// <summary>The titles and descriptions of a message's embeds, as plain text.</summary>
    internal static string EmbedText(FakeMessage message) =>
        string.Join('\n', message.Embeds.Select(e => $"{e?["title"]?.GetValue<string>()}\n{e?["description"]?.GetValue<string>()}"));

    [Fact]
    public async Task With_nothing_ready_the_plan_says_so_and_makes_no_run()
    {
        await using var loop = await DailyLoopDriver.StartAsync();
        loop.World.AddIssue("Someday", null, "idea");

        var (_, interaction) = await loop.CommandAsync("plan", DailyLoopDriver.Requester);
        await loop.DrainAsync();

        Assert.Contains("Nothing is ready", loop.Discord.Original(interaction).Content, StringComparison.Ordinal);
        Assert.Empty(await loop.Runs.ListLatestAsync(5, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_stranger_cannot_approve_and_the_refusal_is_audited()
    {
        await using var loop = await DailyLoopDriver.StartAsync();
        loop.World.AddIssue("One", null, "ready");
        var (run, interaction) = await loop.PlanAsync();

        var refused = await loop.ClickAsync($"approve:{run.Id}", DailyLoopDriver.Stranger, loop.Discord.Original(interaction).Id);

        Assert.Equal(64, refused["data"]!["flags"]!.GetValue<int>());
        Assert.Contains("Orchestrator:Access:Approvers", refused["data"]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(RunState.Pending, (await loop.OnlyRunAsync()).State);
        var audit = await loop.App.Services.GetRequiredService<IAuditLog>().ListByRunAsync(run.Id.Value, TestContext.Current.CancellationToken);
        Assert.Contains(audit, a => a.Outcome == AuditOutcome.Refused && a.Actor == "discord:" + DailyLoopDriver.Stranger && a.Action == "approve");
    }

    [Fact]
    public async Task Without_approvers_configured_privileged_commands_are_denied()
    {
        await using var loop = await DailyLoopDriver.StartAsync(new Dictionary<string, string?> { ["Orchestrator:Access:Approvers:Users:0"] = null });

        var (answer, _) = await loop.CommandAsync("approve", DailyLoopDriver.Approver);

        Assert.Equal(64, answer["data"]!["flags"]!.GetValue<int>());
        Assert.Contains("no approver is configured", answer["data"]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ship_is_refused_with_reasons_until_every_task_is_merged_and_an_admin_may_force_it()
    {
        await using var loop = await DailyLoopDriver.StartAsync();
        loop.World.AddIssue("One", null, "ready");
        loop.World.AddIssue("Two", null, "ready");
        var (planned, interaction) = await loop.PlanAsync();
        var run = await loop.ApproveAsync(planned, interaction);

        var (refused, _) = await loop.CommandAsync("ship", DailyLoopDriver.Approver, run.Discord!.ThreadId);
        var (notAdmin, _) = await loop.CommandAsync("ship", DailyLoopDriver.Approver, run.Discord!.ThreadId, ("force", "hotfix"));
        var (forced, _) = await loop.CommandAsync("ship", DailyLoopDriver.Admin, run.Discord!.ThreadId, ("force", "customer outage"));

        Assert.Contains("cannot ship yet", refused["data"]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("#1: dispatched", refused["data"]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("admin", notAdmin["data"]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("forced: customer outage", forced["data"]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        var shipping = await loop.OnlyRunAsync();
        Assert.Equal(RunState.Shipping, shipping.State);
        Assert.Equal("customer outage", shipping.Ship!.ForcedReason);
        var audit = await loop.App.Services.GetRequiredService<IAuditLog>().ListByRunAsync(run.Id.Value, TestContext.Current.CancellationToken);
        Assert.Contains(audit, a => a.Action == "ship-forced" && a.Detail == "customer outage");
        Assert.Equal(2, audit.Count(a => a.Action == "ship" && a.Outcome == AuditOutcome.Refused));
    }

    [Fact]
    public async Task A_duplicate_webhook_delivery_changes_nothing()
    {
        await using var loop = await DailyLoopDriver.StartAsync();
        loop.World.AddIssue("One", null, "ready");
        var (planned, interaction) = await loop.PlanAsync();
        var run = await loop.ApproveAsync(planned, interaction);

        var opened = DailyLoopDriver.PullRequest("opened", 50, "Fixes #1", new string('b', 40), "1-fix");
        var delivery = await loop.WebhookAsync("pull_request", opened);
        await loop.DrainAsync();
        var once = await loop.OnlyRunAsync();
        var messages = loop.Thread(once).Count;
        await loop.WebhookAsync("pull_request", opened, delivery);
        await loop.DrainAsync();
        var twice = await loop.OnlyRunAsync();

        Assert.Equal(once.Version, twice.Version);
        Assert.Equal(messages, loop.Thread(twice).Count);
        Assert.Equal(TaskState.PrOpen, Assert.Single(twice.Tasks).State);
    }

    [Fact]
    public async Task A_failed_deploy_fails_the_run_with_the_reason_in_the_thread()
    {
        await using var loop = await DailyLoopDriver.StartAsync();
        loop.World.AddIssue("One", null, "ready");
        var (planned, interaction) = await loop.PlanAsync();
        var run = await loop.ApproveAsync(planned, interaction);
        var sha = new string('c', 40);
        await loop.WebhookAsync("pull_request", DailyLoopDriver.PullRequest("opened", 60, "Closes #1", sha, "fix-login"));
        await loop.WebhookAsync("pull_request", DailyLoopDriver.PullRequest("closed", 60, "Closes #1", sha, "fix-login", merged: true));
        await loop.DrainAsync();
        await loop.CommandAsync("ship", DailyLoopDriver.Approver, run.Discord!.ThreadId);
        await loop.DrainAsync();
        var deploy = Assert.Single(loop.World.Runs, r => r.Name == "Deploy");

        await loop.WebhookAsync("workflow_run", DailyLoopDriver.WorkflowRun(deploy.Id, "Deploy", deploy.DisplayTitle, "failure"));
        await loop.DrainAsync();

        run = await loop.OnlyRunAsync();
        Assert.Equal(RunState.Failed, run.State);
        Assert.Contains("failure", run.Reason, StringComparison.Ordinal);
        Assert.Contains(loop.Thread(run), m => m.Content.Contains("Ship failed", StringComparison.Ordinal));
        Assert.Equal("open", loop.World.Issue(1).State);
    }
}
