using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orchestrator.Cli;
using Orchestrator.Storage;
using Orchestrator.Tests.Drivers;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Cli;

/// <summary>
/// The operator verbs (runs, deliveries, jobs, audit) against a store the real pipeline filled: the daily loop on
/// the OpenAPI-checked fakes, then the CLI in process on the same store while the service still has it open, as an
/// operator runs it beside a live service. The same scenario runs on SQLite and on DynamoDB (dynalite).
/// </summary>
public abstract class OperatorCliContract
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The storage settings both the service and the CLI get.</summary>
    protected abstract IDictionary<string, string?> StoreSettings(string dataDirectory);

    [Fact]
    public async Task Every_verb_answers_from_the_store_the_pipeline_filled()
    {
        // Arrange: a run whose three tasks are merged, a delivery that cannot be processed (a dead letter), and more.
        var data = Directory.CreateTempSubdirectory("orchestrator-cli-").FullName;
        var settings = StoreSettings(data);
        await using var loop = await DailyLoopDriver.StartAsync(settings);
        loop.AddReadyIssues();
        var (planned, interaction) = await loop.PlanAsync();
        var approved = await loop.ApproveAsync(planned, interaction);
        var run = await loop.DeliverAsync(approved);
        var broken = await loop.WebhookAsync("pull_request", new JsonObject { ["action"] = "opened", ["pull_request"] = "not an object", ["number"] = 1 });
        await loop.DrainAsync();
        loop.Time.Advance(TimeSpan.FromMinutes(1));
        var merged = await loop.WebhookAsync("pull_request", DailyLoopDriver.PullRequest("closed", 101, $"Fixes #{run.Tasks[0].IssueNumber}", DailyLoopDriver.HeadSha(run.Tasks[0].IssueNumber), "agent", merged: true));
        await loop.DrainAsync();
        for (var resent = 0; resent < 2; resent++)
        {
            loop.Time.Advance(TimeSpan.FromMinutes(1)); // GitHub redelivering the late close: answered as a duplicate, counted
            await loop.WebhookAsync("pull_request", DailyLoopDriver.PullRequest("closed", 101, $"Fixes #{run.Tasks[0].IssueNumber}", DailyLoopDriver.HeadSha(run.Tasks[0].IssueNumber), "agent", merged: true), merged);
        }

        var redeliveredAt = loop.Time.GetUtcNow();

        // Act + Assert: runs
        var runs = await CliAsync(loop, settings, "runs", "list", "--json");
        var listed = Assert.Single(JsonNode.Parse(runs.Output)!.AsArray());
        Assert.Equal(run.Id.Value, listed!["id"]!.GetValue<string>());
        Assert.Equal("in_progress", listed["state"]!.GetValue<string>());
        Assert.Equal(3, listed["merged"]!.GetValue<int>());
        Assert.Equal("/ship", listed["waiting_for"]!.GetValue<string>());
        Assert.Equal("[]", (await CliAsync(loop, settings, "runs", "list", "--state", "completed", "--json")).Output.Trim());
        Assert.Equal("[]", (await CliAsync(loop, settings, "runs", "list", "--repo", "someone/else", "--json")).Output.Trim());

        var shown = JsonNode.Parse((await CliAsync(loop, settings, "runs", "show", run.Id.Value.ToLowerInvariant(), "--json")).Output)!;
        var tasks = shown["tasks"]!.AsArray();
        Assert.Equal(run.Tasks.Select(t => t.IssueNumber), tasks.Select(t => t!["issue"]!.GetValue<int>()));
        Assert.All(tasks, t => Assert.Equal("merged", t!["state"]!.GetValue<string>()));
        Assert.Equal($"https://github.com/{DailyLoopDriver.Repo}/pull/101", tasks[0]!["pull_request_url"]!.GetValue<string>());
        var stored = (await loop.Runs.GetAsync(run.Id, Ct))!.Tasks[0].Checks ?? new Dictionary<string, string>();
        Assert.Equal(stored.OrderBy(c => c.Key), tasks[0]!["checks"]!.AsObject().Select(c => KeyValuePair.Create(c.Key, c.Value!.GetValue<string>())).OrderBy(c => c.Key));
        var timeline = shown["timeline"]!.AsArray().Select(e => e!["action"]!.GetValue<string>()).ToList();
        Assert.Contains("approve", timeline);
        Assert.Equal(3, timeline.Count(a => a == "task.merged"));

        var table = await CliAsync(loop, settings, "runs", "show", run.Id.Value);
        Assert.Contains("Waiting for: /ship", table.Output, StringComparison.Ordinal);
        Assert.Contains($"#{run.Tasks[0].IssueNumber}", table.Output, StringComparison.Ordinal);

        // deliveries
        var deliveries = JsonNode.Parse((await CliAsync(loop, settings, "deliveries", "list", "--event", "pull_request", "--json", "--since", "7d")).Output)!.AsArray();
        Assert.Equal(8, deliveries.Count); // 3 opened, 3 closed, the broken one, the late close
        Assert.Equal(merged, deliveries[0]!["delivery_id"]!.GetValue<string>());
        Assert.Equal("failed", Assert.Single(deliveries, d => d!["delivery_id"]!.GetValue<string>() == broken)!["status"]!.GetValue<string>());
        Assert.Equal(7, deliveries.Count(d => d!["status"]!.GetValue<string>() == "processed"));
        Assert.Equal(2, deliveries[0]!["duplicates"]!.GetValue<int>());
        Assert.Equal(redeliveredAt, deliveries[0]!["last_duplicate_at"]!.GetValue<DateTimeOffset>());
        Assert.All(deliveries.Skip(1), d => Assert.Equal((0, null), (d!["duplicates"]!.GetValue<int>(), d["last_duplicate_at"])));
        var duplicated = JsonNode.Parse((await CliAsync(loop, settings, "deliveries", "list", "--duplicated", "--json", "--since", "7d")).Output)!.AsArray();
        Assert.Equal([merged], duplicated.Select(d => d!["delivery_id"]!.GetValue<string>()));
        var listedTable = await CliAsync(loop, settings, "deliveries", "list", "--duplicated", "--since", "7d");
        Assert.Contains("DUPLICATES", listedTable.Output, StringComparison.Ordinal);
        var failed = JsonNode.Parse((await CliAsync(loop, settings, "deliveries", "list", "--status", "failed", "--json", "--since", "7d")).Output)!.AsArray();
        Assert.Equal([broken], failed.Select(d => d!["delivery_id"]!.GetValue<string>()));

        var delivery = JsonNode.Parse((await CliAsync(loop, settings, "deliveries", "show", merged, "--payload", "--json")).Output)!;
        Assert.Equal("closed", delivery["delivery"]!["action"]!.GetValue<string>());
        Assert.Equal("completed", delivery["delivery"]!["job"]!["state"]!.GetValue<string>());
        Assert.Equal(101, JsonNode.Parse(delivery["payload"]!.GetValue<string>())!["number"]!.GetValue<int>());
        Assert.Equal(2, delivery["delivery"]!["duplicates"]!.GetValue<int>());
        Assert.Contains("Duplicates:        2 (received again; last ", (await CliAsync(loop, settings, "deliveries", "show", merged)).Output, StringComparison.Ordinal);

        var replay = await CliAsync(loop, settings, "deliveries", "replay", merged);
        Assert.Contains($"Delivery {merged} (pull_request) queued for processing again as job", replay.Output, StringComparison.Ordinal);
        var before = await loop.Runs.GetAsync(run.Id, Ct);
        var threadBefore = loop.Thread(run).Count;
        await loop.DrainAsync();
        var after = await loop.Runs.GetAsync(run.Id, Ct);
        Assert.Equal(before!.Tasks.Select(t => (t.State, t.PullRequestNumber, t.MergedAt)), after!.Tasks.Select(t => (t.State, t.PullRequestNumber, t.MergedAt)));
        Assert.Equal(threadBefore, loop.Thread(run).Count);
        var replayJob = JsonNode.Parse((await CliAsync(loop, settings, "deliveries", "replay", merged, "--json")).Output)!["job_id"]!.GetValue<string>();
        await loop.DrainAsync();
        var replayed = JsonNode.Parse((await CliAsync(loop, settings, "jobs", "show", replayJob, "--json")).Output)!;
        Assert.Equal("completed", replayed["state"]!.GetValue<string>());
        Assert.Equal(merged, replayed["payload"]!.GetValue<string>());

        // jobs
        var dead = JsonNode.Parse((await CliAsync(loop, settings, "jobs", "list", "--state", "dead", "--json")).Output)!.AsArray();
        var letter = Assert.Single(dead)!;
        Assert.Equal(broken, letter["idempotency_key"]!.GetValue<string>()["delivery:".Length..]);
        Assert.Contains("could not be read", letter["last_error"]!.GetValue<string>(), StringComparison.Ordinal);
        var jobId = letter["id"]!.GetValue<string>();
        var job = JsonNode.Parse((await CliAsync(loop, settings, "jobs", "show", jobId, "--json")).Output)!;
        Assert.Equal(broken, job["payload"]!.GetValue<string>());
        var queue = await CliAsync(loop, settings, "jobs", "list");
        Assert.Contains("Queue: 0 queued", queue.Output, StringComparison.Ordinal);
        Assert.Contains("1 dead.", queue.Output, StringComparison.Ordinal);

        loop.Time.Advance(TimeSpan.FromMinutes(1));
        var retry = await CliAsync(loop, settings, "jobs", "retry", jobId);
        Assert.Equal(0, retry.ExitCode);
        var queued = JsonNode.Parse((await CliAsync(loop, settings, "jobs", "list", "--state", "queued", "--json")).Output)!.AsArray();
        Assert.Equal([jobId], queued.Select(j => j!["id"]!.GetValue<string>()));
        loop.Time.Advance(TimeSpan.FromMinutes(1));
        var again = await CliAsync(loop, settings, "jobs", "retry", jobId, expectedExit: 1);
        Assert.Contains($"error: Job {jobId} is pending, not dead-lettered", again.Error, StringComparison.Ordinal);

        // audit
        var audit = JsonNode.Parse((await CliAsync(loop, settings, "audit", "--json", "--since", "2026-11-01T00:00:00Z")).Output)!.AsArray();
        var actions = audit.Select(e => e!["action"]!.GetValue<string>()).ToList();
        Assert.Equal("job.retry", actions[0]); // newest first
        Assert.Contains("delivery.replay", actions);
        Assert.Contains("approve", actions);
        var byCli = JsonNode.Parse((await CliAsync(loop, settings, "audit", "--json", "--actor", "cli:", "--since", "30d")).Output)!.AsArray();
        Assert.Equal(["job.retry", "job.retry", "delivery.replay", "delivery.replay"], byCli.Select(e => e!["action"]!.GetValue<string>()));
        Assert.Equal(["refused", "succeeded", "succeeded", "succeeded"], byCli.Select(e => e!["outcome"]!.GetValue<string>()));
        var ofRun = JsonNode.Parse((await CliAsync(loop, settings, "audit", "--run", run.Id.Value, "--json")).Output)!.AsArray();
        Assert.All(ofRun, e => Assert.Equal(run.Id.Value, e!["run_id"]!.GetValue<string>()));
        Assert.Contains(ofRun, e => e!["action"]!.GetValue<string>() == "approve");
    }

    [Theory]
    [InlineData("runs", "show", "01ZZZZZZZZZZZZZZZZZZZZZZZZ", "error: No run '01ZZZZZZZZZZZZZZZZZZZZZZZZ'.")]
    [InlineData("deliveries", "show", "no-such-delivery", "error: No delivery 'no-such-delivery' in the inbox")]
    [InlineData("deliveries", "replay", "no-such-delivery", "error: No delivery 'no-such-delivery' in the inbox")]
    [InlineData("jobs", "show", "no-such-job", "error: No job 'no-such-job'.")]
    [InlineData("jobs", "retry", "no-such-job", "error: No job 'no-such-job'.")]
    public async Task An_unknown_id_exits_1_with_one_clear_line(string verb, string sub, string id, string expected)
    {
        // Arrange
        var settings = StoreSettings(Directory.CreateTempSubdirectory("orchestrator-cli-").FullName);
        await using var loop = await DailyLoopDriver.StartAsync(settings);

        // Act
        var run = await CliAsync(loop, settings, [verb, sub, id], expectedExit: 1);

        // Assert
        var line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(expected, line, StringComparison.Ordinal);
        Assert.Empty(run.Output);
    }

    private static Task<CliRun> CliAsync(DailyLoopDriver loop, IDictionary<string, string?> settings, params string[] args) => CliAsync(loop, settings, args, 0);

    private static Task<CliRun> CliAsync(DailyLoopDriver loop, IDictionary<string, string?> settings, string a, string b, string c, string d, int expectedExit) =>
        CliAsync(loop, settings, [a, b, c, d], expectedExit);

    private static Task<CliRun> CliAsync(DailyLoopDriver loop, IDictionary<string, string?> settings, string a, string b, string c, int expectedExit) =>
        CliAsync(loop, settings, [a, b, c], expectedExit);

    internal static async Task<CliRun> CliAsync(DailyLoopDriver loop, IDictionary<string, string?> settings, string[] args, int expectedExit)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var cli = new Dictionary<string, string?>(settings)
        {
            // The service's SQLite path is the fixture's; DynamoDB settings are shared as they are.
            ["Orchestrator:Storage:Sqlite:Path"] = loop.App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<StorageOptions>>().Value.Sqlite.Path,
        };
        var exitCode = await OrchestratorCli.RunAsync(
            args,
            output,
            error,
            builder =>
            {
                builder.Configuration.AddInMemoryCollection(cli);
                builder.Services.RemoveAll<TimeProvider>();
                builder.Services.AddSingleton<TimeProvider>(loop.Time);
            },
            Ct);
        var run = new CliRun(exitCode, output.ToString(), error.ToString());
        Assert.True(exitCode == expectedExit, $"{string.Join(' ', args)} exited {exitCode}, expected {expectedExit}: {run.Error}{run.Output}");
        return run;
    }

    internal sealed record CliRun(int ExitCode, string Output, string Error);
}

public sealed class SqliteOperatorCliTests : OperatorCliContract
{
    protected override IDictionary<string, string?> StoreSettings(string dataDirectory) => new Dictionary<string, string?>
    {
        ["Orchestrator:Storage:Provider"] = "Sqlite",
    };
}

public sealed class DynamoOperatorCliTests(DynaliteServer dynalite) : OperatorCliContract
{
    protected override IDictionary<string, string?> StoreSettings(string dataDirectory) => dynalite.AppSettings();
}

/// <summary>Usage errors, which never reach a store.</summary>
public sealed class OperatorCliUsageTests
{
    [Theory]
    [InlineData("runs")]
    [InlineData("runs", "list", "--state", "bogus")]
    [InlineData("runs", "show")]
    [InlineData("runs", "list", "--since", "yesterday")]
    [InlineData("deliveries", "list", "--status", "lost")]
    [InlineData("deliveries", "show")]
    [InlineData("jobs", "list", "--state", "completed")]
    [InlineData("jobs", "list", "--limit", "0")]
    [InlineData("audit", "--since", "2x")]
    public async Task Wrong_arguments_exit_2_with_usage(params string[] args)
    {
        // Arrange
        using var output = new StringWriter();
        using var error = new StringWriter();

        // Act
        var exit = await OrchestratorCli.RunAsync(args, output, error, configure: null, TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal(2, exit);
        Assert.Contains($"Run 'Orchestrator {args[0]}", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("--help' for usage.", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("runs", "list")]
    [InlineData("runs", "show")]
    [InlineData("deliveries", "list")]
    [InlineData("deliveries", "show")]
    [InlineData("deliveries", "replay")]
    [InlineData("jobs", "list")]
    [InlineData("jobs", "show")]
    [InlineData("jobs", "retry")]
    [InlineData("audit")]
    public async Task Every_verb_has_help(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await OrchestratorCli.RunAsync([.. args, "--help"], output, error, configure: null, TestContext.Current.CancellationToken);

        Assert.Equal(0, exit);
        Assert.Contains("Usage:", output.ToString(), StringComparison.Ordinal);
        Assert.Contains($" {string.Join(' ', args)} ", output.ToString(), StringComparison.Ordinal);
    }
}
