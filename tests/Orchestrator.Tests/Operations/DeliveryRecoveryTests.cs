using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Jobs;
using Orchestrator.Runs;
using Orchestrator.Storage;
using Orchestrator.Tests.Cli;
using Orchestrator.Tests.Drivers;
using Orchestrator.Tests.Fakes;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Operations;

/// <summary>
/// Missed deliveries come back by themselves: the GitHub fake keeps each hook's delivery log and, asked to redeliver,
/// POSTs the stored delivery again, signed, to the service listening on a real port (as GitHub does).
/// </summary>
public sealed class DeliveryRecoveryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Deliveries_GitHub_failed_while_the_service_was_down_are_processed_once_after_it_starts()
    {
        // Arrange: an approved run with three dispatched tasks, and the service stopped while their PRs open.
        await using var loop = await DailyLoopDriver.StartAsync();
        loop.App.UseKestrel(0);
        loop.AddReadyIssues();
        var (planned, interaction) = await loop.PlanAsync();
        var run = await loop.ApproveAsync(planned, interaction);
        var hook = loop.GitHub.AddHook(DailyLoopDriver.Repo, "http://127.0.0.1:9/github/webhooks", loop.App.WebhookSecret, "pull_request", "check_suite");
        var missed = new List<FakeHookDelivery>();
        var pr = 101;
        foreach (var task in run.Tasks)
        {
            var payload = DailyLoopDriver.PullRequest("opened", pr++, $"Fixes #{task.IssueNumber}", DailyLoopDriver.HeadSha(task.IssueNumber), $"{task.IssueNumber}-agent");
            missed.Add(await loop.GitHub.DeliverAsync(hook, "pull_request", payload.ToJsonString(), cancellationToken: Ct));
        }

        Assert.All(missed, d => Assert.Equal(0, d.StatusCode)); // GitHub could not connect: three failures in the log

        // The service is back at the hook's URL. A fourth delivery reaches it, but GitHub records a timeout.
        hook.Url = new Uri(ServiceAddress(loop), "github/webhooks").AbsoluteUri;
        var timedOut = await loop.GitHub.DeliverAsync(hook, "check_suite", DailyLoopDriver.CheckSuite(DailyLoopDriver.HeadSha(run.Tasks[0].IssueNumber), "success").ToJsonString(), cancellationToken: Ct);
        Assert.True(timedOut.Succeeded);
        timedOut.StatusCode = 0;
        timedOut.Status = "timed out";
        var periodic = loop.App.Services.GetRequiredService<PeriodicTaskRunner>();

        // Act: the worker's first periodic round after start-up, then the jobs it enqueued.
        await periodic.RunAllAsync(Ct);
        await loop.DrainAsync();
        var redelivered = await loop.GitHub.RedeliveriesAsync();
        await loop.DrainAsync();
        await periodic.RunAllAsync(Ct); // a later round in the same interval enqueues nothing more
        await loop.DrainAsync();

        // Assert: the three missed ones were redelivered once each, with their guids, and processed once each.
        Assert.Equal(missed.Select(d => d.Guid).Order(), redelivered.Select(d => d.Guid).Order());
        Assert.All(redelivered, d => Assert.True(d.Redelivery && d.Succeeded));
        Assert.Equal(3, loop.GitHub.RedeliveryRequests);
        var store = loop.App.Services.GetRequiredService<IOperatorStore>();
        foreach (var delivery in missed)
        {
            var job = await store.FindJobByKeyAsync("delivery:" + delivery.Guid, Ct);
            Assert.Equal(JobState.Completed, job?.State);
            Assert.Equal(1, job!.Attempts);
        }

        var tracked = await loop.Runs.GetAsync(run.Id, Ct);
        Assert.All(tracked!.Tasks, t => Assert.Equal(TaskState.PrOpen, t.State));
        Assert.Equal([101, 102, 103], tracked.Tasks.Select(t => t.PullRequestNumber ?? 0));
        Assert.Equal(3, loop.App.Logs.Entries.Count(e => e.EventId.Id == 1300));
    }

    [Fact]
    public async Task Recover_afterwards_finds_nothing_to_do_and_never_redelivers_what_we_stored()
    {
        // Arrange: one delivery missed and recovered, one GitHub marks failed that reached us.
        await using var loop = await DailyLoopDriver.StartAsync();
        loop.App.UseKestrel(0);
        var hook = loop.GitHub.AddHook(DailyLoopDriver.Repo, "http://127.0.0.1:9/github/webhooks", loop.App.WebhookSecret, "issues");
        var missed = await loop.GitHub.DeliverAsync(hook, "issues", WebhookExamples.Get("issues", "opened").ToJsonString(), cancellationToken: Ct);
        hook.Url = new Uri(ServiceAddress(loop), "github/webhooks").AbsoluteUri;
        var stored = await loop.GitHub.DeliverAsync(hook, "issues", WebhookExamples.Get("issues", "labeled").ToJsonString(), cancellationToken: Ct);
        stored.StatusCode = 502;
        stored.Status = "Invalid HTTP Response: 502";
        var settings = Settings(loop);

        // Act
        var dry = await OperatorCliContract.CliAsync(loop, settings, ["deliveries", "recover", "--since", "1h", "--dry-run", "--json"], 0);
        var first = await OperatorCliContract.CliAsync(loop, settings, ["deliveries", "recover", "--since", "1h"], 0);
        await loop.GitHub.RedeliveriesAsync();
        var second = await OperatorCliContract.CliAsync(loop, settings, ["deliveries", "recover", "--since", "1h", "--json"], 0);

        // Assert
        var plan = System.Text.Json.Nodes.JsonNode.Parse(dry.Output)!;
        Assert.Equal(
            [(missed.Guid, "would_redeliver"), (stored.Guid, "stored")],
            plan["failed"]!.AsArray().Select(f => (f!["guid"]!.GetValue<string>(), f["outcome"]!.GetValue<string>())).OrderByDescending(f => f.Item2));
        Assert.Contains("Asked GitHub to redeliver 1;", first.Output, StringComparison.Ordinal);
        Assert.Contains(missed.Guid, first.Output, StringComparison.Ordinal);
        var again = System.Text.Json.Nodes.JsonNode.Parse(second.Output)!;
        Assert.Equal(0, again["redelivered"]!.GetValue<int>());
        Assert.Equal([(stored.Guid, "stored")], again["failed"]!.AsArray().Select(f => (f!["guid"]!.GetValue<string>(), f["outcome"]!.GetValue<string>())));
        Assert.Equal(1, loop.GitHub.RedeliveryRequests);
        Assert.NotNull(await loop.App.Services.GetRequiredService<IWebhookInbox>().GetAsync(missed.Guid, Ct));
    }

    [Fact]
    public async Task Only_the_hooks_that_post_to_this_service_are_read()
    {
        // Arrange: this service's hook (PublicUrl) and another deployment's, each with a delivery that failed.
        await using var loop = await DailyLoopDriver.StartAsync(new Dictionary<string, string?> { ["Orchestrator:PublicUrl"] = "http://127.0.0.1:9/" });
        var ours = loop.GitHub.AddHook(DailyLoopDriver.Repo, "http://127.0.0.1:9/github/webhooks", loop.App.WebhookSecret, "issues");
        var theirs = loop.GitHub.AddHook(DailyLoopDriver.Repo, "http://127.0.0.2:9/github/webhooks", "another-secret", "issues");
        var mine = await loop.GitHub.DeliverAsync(ours, "issues", WebhookExamples.Get("issues", "opened").ToJsonString(), cancellationToken: Ct);
        await loop.GitHub.DeliverAsync(theirs, "issues", WebhookExamples.Get("issues", "opened").ToJsonString(), cancellationToken: Ct);

        // Act
        var run = await OperatorCliContract.CliAsync(loop, Settings(loop), ["deliveries", "recover", "--dry-run", "--json"], 0);

        // Assert
        var report = System.Text.Json.Nodes.JsonNode.Parse(run.Output)!;
        Assert.Equal([$"{DailyLoopDriver.Repo} hook {ours.Id}"], report["hooks"]!.AsArray().Select(h => h!.GetValue<string>()));
        Assert.Equal([mine.Guid], report["failed"]!.AsArray().Select(f => f!["guid"]!.GetValue<string>()));
        Assert.Equal(0, loop.GitHub.RedeliveryRequests);
    }

    private static Uri ServiceAddress(DailyLoopDriver loop)
    {
        loop.App.StartServer();
        var addresses = loop.App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return new Uri(addresses.First(a => a.StartsWith("http://", StringComparison.Ordinal)).Replace("localhost", "127.0.0.1", StringComparison.Ordinal) + "/");
    }

    /// <summary>The service's own settings (GitHub, repositories, store), as an operator's CLI would read them.</summary>
    private static Dictionary<string, string?> Settings(DailyLoopDriver loop) =>
        loop.App.Services.GetRequiredService<IConfiguration>().AsEnumerable()
            .Where(kv => kv.Key.StartsWith("Orchestrator:", StringComparison.Ordinal) && kv.Value is not null)
            .ToDictionary(kv => kv.Key, kv => kv.Value);
}
