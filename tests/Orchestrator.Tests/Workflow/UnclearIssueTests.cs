using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Runs;
using Orchestrator.Storage;
using Orchestrator.Tests.Drivers;
using Orchestrator.Tests.Fakes;

namespace Orchestrator.Tests.Workflow;

/// <summary>
/// An issue the planning model judged needs_clarification is held back at approval, and Ask on GitHub posts its
/// question as exactly one comment, however often it is clicked and even when the first post's answer is lost.
/// </summary>
public sealed class UnclearIssueTests
{
    private const string Question = "Which columns should the CSV hold? @maintainers";
    private static readonly string ApiKey = "sk-test-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_unclear_issue_is_not_dispatched_and_Ask_on_GitHub_posts_one_comment_when_clicked_twice()
    {
        // Arrange
        await using var model = await OpenAiFake.StartAsync(ApiKey, Ct);
        await using var loop = await DailyLoopDriver.StartAsync(Settings(model));
        var (clear, unclear) = Issues(loop, model);

        // Act: approve, then click Ask on GitHub twice
        var (run, notice) = await ApprovedAsync(loop, unclear);
        await loop.ClickAsync($"ask:{run.Id}:{unclear.Number}", DailyLoopDriver.Approver, notice.Id, run.Discord!.ThreadId);
        await loop.DrainAsync();
        await loop.ClickAsync($"ask:{run.Id}:{unclear.Number}", DailyLoopDriver.Approver, notice.Id, run.Discord!.ThreadId);
        await loop.DrainAsync();

        // Assert: only the clear issue went to the executor; the unclear one is held with its reason
        run = await loop.OnlyRunAsync();
        Assert.Equal(1, loop.GitHub.EffectCount("actions/create-workflow-dispatch"));
        Assert.Equal(TaskState.Dispatched, run.Task(clear.Number)!.State);
        Assert.Equal(TaskState.Failed, run.Task(unclear.Number)!.State);
        Assert.Equal("not dispatched: needs clarification", run.Task(unclear.Number)!.LastError);
        Assert.Equal(TaskFailure.Unclear, run.Task(unclear.Number)!.Failure);
        Assert.Contains("Which columns should the CSV hold?", notice.Content, StringComparison.Ordinal);

        // One comment with the question, its mention broken; the clicks are audited
        Assert.Equal(1, loop.GitHub.EffectCount("issues/create-comment"));
        var comment = Assert.Single(unclear.Comments);
        Assert.Contains("> Which columns should the CSV hold? @\u200Bmaintainers", comment.Body, StringComparison.Ordinal);
        Assert.Empty(clear.Comments);
        var audit = await loop.App.Services.GetRequiredService<IAuditLog>().ListByRunAsync(run.Id.Value, Ct);
        Assert.Equal(2, audit.Count(a => a.Action == "ask" && a.Outcome == AuditOutcome.Succeeded && a.Detail == $"#{unclear.Number}"));
    }

    [Fact]
    public async Task Ask_on_GitHub_retried_after_a_lost_answer_finds_its_comment_instead_of_posting_again()
    {
        // Arrange: GitHub creates the comment but the answer is lost (502), so the job fails and runs again
        await using var model = await OpenAiFake.StartAsync(ApiKey, Ct);
        await using var loop = await DailyLoopDriver.StartAsync(Settings(model));
        var (_, unclear) = Issues(loop, model);
        var (run, notice) = await ApprovedAsync(loop, unclear);
        loop.GitHub.FailNextAfterHandling(HttpMethod.Post, "/repos/{owner}/{repo}/issues/{issue_number}/comments", HttpStatusCode.BadGateway);

        // Act
        await loop.ClickAsync($"ask:{run.Id}:{unclear.Number}", DailyLoopDriver.Approver, notice.Id, run.Discord!.ThreadId);
        await loop.DrainAsync();

        // Assert
        Assert.Equal(1, loop.GitHub.EffectCount("issues/create-comment"));
        Assert.Single(unclear.Comments);
        Assert.True(loop.GitHub.RequestsTo("issues/list-comments").Count >= 1, "the retry looked for its marker");
        Assert.Contains(loop.Thread(run), m => m.Content.Contains($"Asked on GitHub: the question is on #{unclear.Number}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_DispatchUnclear_every_issue_is_dispatched()
    {
        // Arrange
        await using var model = await OpenAiFake.StartAsync(ApiKey, Ct);
        var settings = Settings(model);
        settings["Orchestrator:Planning:DispatchUnclear"] = "true";
        await using var loop = await DailyLoopDriver.StartAsync(settings);
        var (clear, unclear) = Issues(loop, model);
        var (planned, interaction) = await loop.PlanAsync();

        // Act
        var run = await loop.ApproveAsync(planned, interaction);

        // Assert
        Assert.Equal(2, loop.GitHub.EffectCount("actions/create-workflow-dispatch"));
        Assert.All(run.Tasks, t => Assert.Equal(TaskState.Dispatched, t.State));
        Assert.DoesNotContain(loop.Thread(run), m => m.Components.ToJsonString().Contains("ask:", StringComparison.Ordinal));
        Assert.Equal([clear.Number, unclear.Number], run.Tasks.Select(t => t.IssueNumber));
    }

    [Fact]
    public async Task Ask_is_refused_to_someone_who_is_not_an_approver()
    {
        // Arrange
        await using var model = await OpenAiFake.StartAsync(ApiKey, Ct);
        await using var loop = await DailyLoopDriver.StartAsync(Settings(model));
        var (_, unclear) = Issues(loop, model);
        var (run, notice) = await ApprovedAsync(loop, unclear);

        // Act
        var answer = await loop.ClickAsync($"ask:{run.Id}:{unclear.Number}", DailyLoopDriver.Stranger, notice.Id, run.Discord!.ThreadId);
        await loop.DrainAsync();

        // Assert
        Assert.Equal(64, answer["data"]!["flags"]!.GetValue<int>());
        Assert.Equal(0, loop.GitHub.EffectCount("issues/create-comment"));
    }

    /// <summary>Plans and approves; returns the run and the thread's notice with the unclear issue's Ask on GitHub button.</summary>
    private static async Task<(Run Run, FakeMessage Notice)> ApprovedAsync(DailyLoopDriver loop, FakeIssue unclear)
    {
        var (planned, interaction) = await loop.PlanAsync();
        var run = await loop.ApproveAsync(planned, interaction);
        return (run, Assert.Single(loop.Thread(run), m => m.Components.ToJsonString().Contains($"ask:{run.Id}:{unclear.Number}", StringComparison.Ordinal)));
    }

    private static (FakeIssue Clear, FakeIssue Unclear) Issues(DailyLoopDriver loop, OpenAiFake model)
    {
        var clear = loop.World.AddIssue("Login fails with SSO", "Steps: open /login, pick SSO, see 500.", "ready");
        var unclear = loop.World.AddIssue("Export to CSV", "Users want CSV.", "ready");
        model.Answer(new ScriptedAnswer.Completion(new JsonObject
        {
            ["summary"] = "SSO fix, then CSV export once it is specified.",
            ["order"] = new JsonArray(clear.Number, unclear.Number),
            ["issues"] = new JsonArray(
                Issue(clear.Number, "SSO login returns 500", "ready", null),
                Issue(unclear.Number, "Add a CSV export", "needs_clarification", Question)),
        }.ToJsonString()));
        return (clear, unclear);
    }

    private static JsonObject Issue(int number, string summary, string readiness, string? question) => new()
    {
        ["number"] = number,
        ["summary"] = summary,
        ["size"] = "M",
        ["readiness"] = readiness,
        ["question"] = question,
        ["depends_on"] = new JsonArray(),
    };

    private static Dictionary<string, string?> Settings(OpenAiFake model) => PlanningModelTests.Settings(model, ApiKey);
}
