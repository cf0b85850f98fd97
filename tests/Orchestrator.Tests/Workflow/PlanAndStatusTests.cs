using Orchestrator.Runs;
using Orchestrator.Tests.Drivers;

namespace Orchestrator.Tests.Workflow;

/// <summary>A plan that respects the work, checks that mean what they say, and /status saying why a task is not moving.</summary>
public sealed class PlanAndStatusTests
{
    [Fact]
    public async Task The_plan_leaves_out_taken_blocked_and_skipped_issues_with_reasons_and_orders_by_priority_age_and_dependency()
    {
        // Arrange (oldest first)
        await using var loop = await DailyLoopDriver.StartAsync(new Dictionary<string, string?> { ["Orchestrator:Repositories:0:PriorityLabels"] = "P0,P1" });
        var world = loop.World;
        var old = world.AddIssue("Old P1 work", null, "ready", "P1");
        var taken = world.AddIssue("Alice has it", null, "ready");
        taken.Assignees.Add("alice");
        var blocked = world.AddIssue("Waiting on legal", null, "ready", "blocked");
        var withPull = world.AddIssue("Already in review", null, "ready");
        var later = world.AddIssue("Second step", "Depends on #7.", "ready", "P0");
        var outside = world.AddIssue("Blocked elsewhere", "Blocked by #8", "ready");
        var first = world.AddIssue("First step", null, "ready", "P0");
        world.AddIssue("Not ready: the other blocker", null, "idea");
        world.Push("4-review");
        world.OpenPullRequest("Review", "4-review", $"Fixes #{withPull.Number}", "bob", draft: false);
        Assert.Equal(7, first.Number);

        // Act
        var (run, _) = await loop.PlanAsync();

        // Assert
        Assert.Equal([first.Number, later.Number, old.Number], run.Tasks.Select(t => t.IssueNumber));
        var skipped = run.Skipped!.ToDictionary(s => s.Number, s => s.Reason);
        Assert.Equal("assigned to @alice", skipped[taken.Number]);
        Assert.Equal("label `blocked`", skipped[blocked.Number]);
        Assert.StartsWith("open pull request #", skipped[withPull.Number], StringComparison.Ordinal);
        Assert.Equal("blocked by #8, which is open and not in this plan", skipped[outside.Number]);
        var proposal = Assert.Single(loop.Discord.Messages(loop.Channel), m => DailyLoopTests.EmbedText(m).Contains("Daily Plan Proposal", StringComparison.Ordinal));
        Assert.Contains("**Left out (4)**", DailyLoopTests.EmbedText(proposal), StringComparison.Ordinal);
        Assert.Contains("Alice has it — assigned to ", DailyLoopTests.EmbedText(proposal), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, TaskState.ChecksPassing)]
    [InlineData(false, TaskState.ChecksFailing)]
    public async Task An_optional_failing_check_does_not_block_a_task_whose_required_checks_passed(bool rulesetRequiresBuild, TaskState expected)
    {
        // Arrange: a ruleset on main requires "build"; "lint" is optional
        await using var loop = await DailyLoopDriver.StartAsync();
        if (rulesetRequiresBuild)
        {
            loop.World.RulesetRequiredChecks.Add("build");
        }

        var issue = loop.World.AddIssue("Export to CSV", null, "ready");
        var (planned, interaction) = await loop.PlanAsync();
        await loop.ApproveAsync(planned, interaction);
        loop.World.Push("1-export");
        var pull = loop.World.OpenPullRequest("Export", "1-export", $"Fixes #{issue.Number}", "octocat", draft: false);

        // Act
        await loop.WebhookAsync("pull_request", AgentPayloads.PullRequest("opened", pull));
        await loop.WebhookAsync("check_run", AgentPayloads.CheckRun(pull.HeadSha, "build", "success"));
        await loop.WebhookAsync("check_run", AgentPayloads.CheckRun(pull.HeadSha, "lint", "failure"));
        await loop.DrainAsync();

        // Assert
        var task = (await loop.OnlyRunAsync()).Task(issue.Number)!;
        Assert.Equal(expected, task.State);
        Assert.Equal(rulesetRequiresBuild ? ["build"] : [], task.RequiredChecks);
    }

    [Fact]
    public async Task Status_in_the_thread_says_what_each_task_waits_for()
    {
        // Arrange: #1 has no pull request after 3 hours; #2's pull request fails "lint"
        await using var loop = await DailyLoopDriver.StartAsync();
        loop.World.AddIssue("One", null, "ready");
        var two = loop.World.AddIssue("Two", null, "ready");
        var (planned, interaction) = await loop.PlanAsync();
        var run = await loop.ApproveAsync(planned, interaction);
        loop.World.Push("2-two");
        var pull = loop.World.OpenPullRequest("Two", "2-two", $"Fixes #{two.Number}", "octocat", draft: false);
        await loop.WebhookAsync("pull_request", AgentPayloads.PullRequest("opened", pull));
        await loop.WebhookAsync("check_run", AgentPayloads.CheckRun(pull.HeadSha, "lint", "failure"));
        await loop.DrainAsync();
        loop.Time.Advance(TimeSpan.FromHours(3));

        // Act
        var (answer, _) = await loop.CommandAsync("status", DailyLoopDriver.Stranger, run.Discord!.ThreadId);

        // Assert
        var text = answer["data"]!["embeds"]![0]!["description"]!.GetValue<string>();
        Assert.Contains("#1 One — dispatched · ⏳ no pull request after 3h", text, StringComparison.Ordinal);
        Assert.Contains("⏳ failing check `lint`", text, StringComparison.Ordinal);
    }
}
