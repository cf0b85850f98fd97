using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Runs;
using Orchestrator.Storage;
using Orchestrator.Tests.Fakes;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Drivers;

/// <summary>
/// The whole loop around the real service: GitHub and Discord are OpenAPI-checked fakes on 127.0.0.1, the
/// service runs in memory on its real pipeline and SQLite, and everyone shares one clock that jumps instead
/// of sleeping. Helpers send signed interactions and webhooks the way Discord and GitHub do.
/// </summary>
public sealed class DailyLoopDriver : IAsyncDisposable
{
    public const string Repo = "octo/app";
    public const string Requester = "300000000000000001";
    public const string Approver = "300000000000000002";
    public const string Stranger = "300000000000000003";
    public const string Admin = "300000000000000004";
    public const string GuildId = "1200000000000000001";
    private const string GitHubToken = "ghp_fakeTokenForTheDailyLoopTests000000000";
    private const string BotToken = "MTEwMDAwMDAwMDAwMDAwMDAwMQ.fake-bot.daily-loop";
    private long _snowflake = 1_400_000_000_000_000_000;

    private DailyLoopDriver(GitHubFake github, DiscordFake discord, SkippingTimeProvider time, IDictionary<string, string?> overrides)
    {
        GitHub = github;
        Discord = discord;
        Time = time;
        Channel = discord.AddChannel(GuildId);
        World = github.Repository(Repo);
        var settings = new Dictionary<string, string?>
        {
            ["Orchestrator:GitHub:Token"] = GitHubToken,
            ["Orchestrator:GitHub:ApiBaseUrl"] = github.BaseAddress.AbsoluteUri,
            ["Orchestrator:Discord:BotToken"] = BotToken,
            ["Orchestrator:Discord:ApplicationId"] = discord.ApplicationId,
            ["Orchestrator:Discord:ApiBaseUrl"] = discord.BaseAddress.AbsoluteUri,
            ["Orchestrator:Repositories:0:Name"] = Repo,
            ["Orchestrator:Repositories:0:ChannelId"] = Channel,
            ["Orchestrator:Repositories:0:Executor:Kind"] = "Workflow",
            ["Orchestrator:Repositories:0:Executor:Workflow"] = "agent.yml",
            ["Orchestrator:Repositories:0:Deploy:Workflow"] = "deploy.yml",
            ["Orchestrator:Access:Approvers:Users:0"] = Approver,
            ["Orchestrator:Access:Admins:Users:0"] = Admin,
        };
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        App = new AppFixture(settings, time);
        github.AddToken(GitHubToken);
        World.AddWorkflow("agent.yml", "Agent", "Agent for #${{ inputs.issue_number }} (${{ inputs.correlation_id }})", "issue_number", "run_id", "correlation_id");
        World.AddWorkflow("deploy.yml", "Deploy", "Deploy ${{ inputs.correlation_id }}", "run_id", "correlation_id");
    }

    public GitHubFake GitHub { get; }

    public DiscordFake Discord { get; }

    public SkippingTimeProvider Time { get; }

    public AppFixture App { get; }

    public FakeRepository World { get; }

    public string Channel { get; }

    public IRunStore Runs => App.Services.GetRequiredService<IRunStore>();

    /// <param name="start">The shared clock's start; a browser test starts it at the real time, since browsers drop cookies that expired by their own clock.</param>
    public static async Task<DailyLoopDriver> StartAsync(IDictionary<string, string?>? overrides = null, DateTimeOffset? start = null)
    {
        var time = new SkippingTimeProvider(start ?? DateTimeOffset.Parse("2026-11-25T09:00:00Z", CultureInfo.InvariantCulture));
        var github = await GitHubFake.StartAsync(time, TestContext.Current.CancellationToken);
        var discord = await DiscordFake.StartAsync(BotToken, "1100000000000000001", time, TestContext.Current.CancellationToken);
        return new DailyLoopDriver(github, discord, time, overrides ?? new Dictionary<string, string?>());
    }

    /// <summary>Sends a signed slash command; the interaction's token is live in the Discord fake.</summary>
    public async Task<(JsonObject Response, FakeInteraction Interaction)> CommandAsync(string name, string user, string? channel = null, params (string Name, object Value)[] options)
    {
        var interaction = Discord.OpenInteraction(channel ?? Channel);
        var data = new JsonObject
        {
            ["id"] = Next(),
            ["name"] = name,
            ["type"] = 1,
            ["options"] = new JsonArray([.. options.Select(o => (JsonNode)new JsonObject
            {
                ["name"] = o.Name,
                ["type"] = o.Value is int ? 4 : o.Value is bool ? 5 : 3,
                ["value"] = JsonValue.Create(o.Value),
            })]),
        };
        return (await InteractAsync(2, data, user, interaction, null), interaction);
    }

    /// <summary>Sends a signed autocomplete interaction (type 4) for one focused option; returns Discord's answer.</summary>
    public async Task<JsonObject> AutocompleteAsync(string name, string option, string typed, string user)
    {
        var interaction = Discord.OpenInteraction(Channel);
        var data = new JsonObject
        {
            ["id"] = Next(),
            ["name"] = name,
            ["type"] = 1,
            ["options"] = new JsonArray(new JsonObject { ["name"] = option, ["type"] = 3, ["value"] = typed, ["focused"] = true }),
        };
        return await InteractAsync(4, data, user, interaction, null);
    }

    /// <summary>Clicks a button (a message component) on a message.</summary>
    public async Task<JsonObject> ClickAsync(string customId, string user, string messageId, string? channel = null)
    {
        var interaction = Discord.OpenInteraction(channel ?? Channel);
        var data = new JsonObject { ["custom_id"] = customId, ["component_type"] = 2 };
        return await InteractAsync(3, data, user, interaction, messageId);
    }

    /// <summary>Chooses <paramref name="value"/> in a string select menu (component type 3) on a message.</summary>
    public async Task<JsonObject> SelectAsync(string customId, string value, string user, string messageId, string? channel = null)
    {
        var interaction = Discord.OpenInteraction(channel ?? Channel);
        var data = new JsonObject { ["custom_id"] = customId, ["component_type"] = 3, ["values"] = new JsonArray(value) };
        return await InteractAsync(3, data, user, interaction, messageId);
    }

    /// <summary>Posts a signed webhook delivery; returns its delivery id.</summary>
    public async Task<string> WebhookAsync(string eventName, JsonObject payload, string? deliveryId = null)
    {
        deliveryId ??= Guid.NewGuid().ToString();
        using var client = App.CreateClient();
        using var response = await client.SendAsync(App.GitHubRequest(eventName, payload.ToJsonString(), deliveryId), TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{eventName} webhook answered {(int)response.StatusCode}");
        return deliveryId;
    }

    /// <summary>
    /// Runs jobs until the queue is empty, letting the clock jump over retry backoff when only later jobs are
    /// left (at most <paramref name="maxJumps"/> jumps of a minute).
    /// </summary>
    public async Task DrainAsync(int maxJumps = 60)
    {
        var queue = App.Services.GetRequiredService<IJobQueue>();
        for (var jump = 0; ; jump++)
        {
            await App.DrainJobsAsync(TestContext.Current.CancellationToken);
            var stats = await queue.GetStatsAsync(TestContext.Current.CancellationToken);
            if (stats.Pending == 0 && stats.Leased == 0)
            {
                return;
            }

            Assert.True(jump < maxJumps, $"jobs still pending after {maxJumps} minutes: {stats}");
            Time.Advance(TimeSpan.FromMinutes(1));
        }
    }

    /// <summary>
    /// The issues of the full loop: three labelled ready (one title trying to ping everyone), one not ready,
    /// and a pull request with the label, which a plan must leave out.
    /// </summary>
    public IReadOnlyList<FakeIssue> AddReadyIssues()
    {
        IReadOnlyList<FakeIssue> ready =
        [
            World.AddIssue("Login fails with SSO", "Steps…", "ready", "bug"),
            World.AddIssue("Export to CSV", null, "ready"),
            World.AddIssue("@everyone look **here**", null, "ready"),
        ];
        World.AddIssue("Not ready yet", null, "idea");
        World.AddPullRequest("A PR is not an issue", "feature", "main", "ready");
        return ready;
    }

    /// <summary>/plan in the channel and the plan job: the pending run and the /plan interaction (whose original holds the buttons).</summary>
    public async Task<(Run Run, FakeInteraction Interaction)> PlanAsync()
    {
        var (answer, interaction) = await CommandAsync("plan", Requester);
        Assert.Equal(5, answer["type"]!.GetValue<int>());
        await DrainAsync();
        return (await OnlyRunAsync(), interaction);
    }

    /// <summary>The Approve button on the plan, by the approver, and the dispatch that follows.</summary>
    public Task<Run> ApproveAsync(Run run, FakeInteraction planInteraction) => ApproveAsync(run, Discord.Original(planInteraction).Id);

    /// <summary>The Approve button on the message <paramref name="buttonsMessageId"/>, by the approver, and the dispatch that follows.</summary>
    public async Task<Run> ApproveAsync(Run run, string buttonsMessageId)
    {
        var answer = await ClickAsync($"approve:{run.Id}", Approver, buttonsMessageId);
        Assert.Equal(7, answer["type"]!.GetValue<int>());
        await DrainAsync();
        return await Runs.GetAsync(run.Id, TestContext.Current.CancellationToken) ?? throw new InvalidOperationException("the run vanished");
    }

    /// <summary>For every task: its pull request opens ("Fixes #N"), its checks go green and it is merged.</summary>
    public async Task<Run> DeliverAsync(Run run, int firstPullRequest = 101)
    {
        var pr = firstPullRequest;
        foreach (var task in run.Tasks)
        {
            var sha = HeadSha(task.IssueNumber);
            await WebhookAsync("pull_request", PullRequest("opened", pr, $"Fixes #{task.IssueNumber}", sha, $"{task.IssueNumber}-agent"));
            await WebhookAsync("check_suite", CheckSuite(sha, "success"));
            await WebhookAsync("pull_request", PullRequest("closed", pr, $"Fixes #{task.IssueNumber}", sha, $"{task.IssueNumber}-agent", merged: true));
            pr++;
        }

        await DrainAsync();
        return await Runs.GetAsync(run.Id, TestContext.Current.CancellationToken) ?? throw new InvalidOperationException("the run vanished");
    }

    /// <summary>/ship in the run's thread, by the approver, and the deploy dispatch that follows.</summary>
    public async Task<Run> ShipAsync(Run run)
    {
        var (answer, _) = await CommandAsync("ship", Approver, run.Discord!.ThreadId);
        Assert.Contains("Shipping", answer["data"]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        await DrainAsync();
        return await Runs.GetAsync(run.Id, TestContext.Current.CancellationToken) ?? throw new InvalidOperationException("the run vanished");
    }

    /// <summary>The deploy workflow's run (in the GitHub fake) completes and GitHub sends its workflow_run event.</summary>
    public async Task<Run> DeployCompletesAsync(Run run, string conclusion = "success")
    {
        var deploy = DeployRun(run);
        deploy.Status = "completed";
        deploy.Conclusion = conclusion;
        await WebhookAsync("workflow_run", WorkflowRun(deploy.Id, "Deploy", deploy.DisplayTitle, conclusion));
        await DrainAsync();
        return await Runs.GetAsync(run.Id, TestContext.Current.CancellationToken) ?? throw new InvalidOperationException("the run vanished");
    }

    /// <summary>
    /// The whole loop as DailyLoopTests' first test runs it: plan, approve, deliver every task, ship, deploy.
    /// Faults set on the fakes beforehand hit whichever step makes the matching request first.
    /// </summary>
    public async Task<Run> RunFullLoopAsync()
    {
        var (run, interaction) = await PlanAsync();
        run = await ApproveAsync(run, interaction);
        run = await DeliverAsync(run);
        run = await ShipAsync(run);
        return await DeployCompletesAsync(run);
    }

    /// <summary>The deploy workflow's run for this run's ship correlation id, in the GitHub fake.</summary>
    public FakeWorkflowRun DeployRun(Run run) =>
        Assert.Single(World.Runs, r => r.Name == "Deploy" && r.DisplayTitle.Contains(run.Ship!.CorrelationId, StringComparison.Ordinal));

    /// <summary>A head commit per issue, so check events can be matched to tasks.</summary>
    public static string HeadSha(int issue) => $"{issue:D4}".PadRight(40, 'a');

    public async Task<Run> OnlyRunAsync()
    {
        var runs = await Runs.ListLatestAsync(10, TestContext.Current.CancellationToken);
        return Assert.Single(runs);
    }

    public IReadOnlyList<FakeMessage> Thread(Run run) => Discord.Messages(run.Discord!.ThreadId!);

    /// <summary>A pull_request payload from GitHub's published examples, patched with this world's numbers.</summary>
    public static JsonObject PullRequest(string action, int number, string body, string sha, string branch, bool merged = false)
    {
        var payload = WebhookExamples.Get("pull_request", action);
        Repository(payload);
        payload["number"] = number;
        var pr = payload["pull_request"]!.AsObject();
        pr["number"] = number;
        pr["body"] = body;
        pr["html_url"] = $"https://github.com/{Repo}/pull/{number}";
        pr["head"]!["sha"] = sha;
        pr["head"]!["ref"] = branch;
        pr["merged"] = merged;
        pr["state"] = action == "closed" ? "closed" : "open";
        pr["merged_at"] = merged ? "2026-11-25T10:00:00Z" : null;
        return payload;
    }

    /// <summary>A completed check_suite for a head commit.</summary>
    public static JsonObject CheckSuite(string sha, string conclusion)
    {
        var payload = WebhookExamples.Get("check_suite", "completed");
        Repository(payload);
        var suite = payload["check_suite"]!.AsObject();
        suite["head_sha"] = sha;
        suite["status"] = "completed";
        suite["conclusion"] = conclusion;
        return payload;
    }

    /// <summary>A completed workflow_run whose run name (display title) is <paramref name="displayTitle"/>.</summary>
    public static JsonObject WorkflowRun(long id, string name, string displayTitle, string conclusion, string sha = "0000000000000000000000000000000000000000")
    {
        var payload = WebhookExamples.Get("workflow_run", "completed");
        Repository(payload);
        var run = payload["workflow_run"]!.AsObject();
        run["id"] = id;
        run["name"] = name;
        run["display_title"] = displayTitle;
        run["status"] = "completed";
        run["conclusion"] = conclusion;
        run["head_sha"] = sha;
        run["html_url"] = $"https://github.com/{Repo}/actions/runs/{id}";
        return payload;
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await GitHub.DisposeAsync();
        await Discord.DisposeAsync();
    }

    private static void Repository(JsonObject payload)
    {
        payload["repository"]!["full_name"] = Repo;
        payload["repository"]!["name"] = "app";
    }

    private async Task<JsonObject> InteractAsync(int type, JsonObject data, string user, FakeInteraction interaction, string? messageId)
    {
        var body = new JsonObject
        {
            ["type"] = type,
            ["id"] = Next(),
            ["application_id"] = Discord.ApplicationId,
            ["token"] = interaction.Token,
            ["version"] = 1,
            ["guild_id"] = GuildId,
            ["channel_id"] = interaction.ChannelId,
            ["member"] = new JsonObject
            {
                ["user"] = new JsonObject { ["id"] = user, ["username"] = "user" + user[^1], ["global_name"] = "User " + user[^1] },
                ["roles"] = new JsonArray(),
            },
            ["data"] = data,
        };
        if (messageId is not null)
        {
            body["message"] = new JsonObject { ["id"] = messageId, ["channel_id"] = interaction.ChannelId };
        }

        using var client = App.CreateClient();
        using var response = await client.SendAsync(App.DiscordRequest(body.ToJsonString()), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!.AsObject();
    }

    private string Next() => Interlocked.Increment(ref _snowflake).ToString(CultureInfo.InvariantCulture);
}
