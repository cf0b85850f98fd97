using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Jobs;
using Orchestrator.Tests.Drivers;

namespace Orchestrator.Tests.Telemetry;

/// <summary>
/// The exporter listens to every meter named "Orchestrator" in the process, so other tests' hosts would add to the
/// counts: this collection runs alone.
/// </summary>
[CollectionDefinition(DisableParallelization = true)]
public sealed class MetricsCollection;

/// <summary>GET /metrics after a short load through the real pipeline: every metric the issue names is there and moved.</summary>
[Collection(typeof(MetricsCollection))]
public sealed class PrometheusMetricsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Metrics_are_scraped_in_Prometheus_text_format_and_move_with_the_load()
    {
        // Arrange: the service on a real port (GitHub's redelivery posts to it), one delivery missed while it was down.
        await using var loop = await DailyLoopDriver.StartAsync();
        loop.App.UseKestrel(0);
        var hook = loop.GitHub.AddHook(DailyLoopDriver.Repo, "http://127.0.0.1:9/github/webhooks", loop.App.WebhookSecret, "issues");
        await loop.GitHub.DeliverAsync(hook, "issues", Infrastructure.WebhookExamples.Get("issues", "opened").ToJsonString(), cancellationToken: Ct);
        loop.App.StartServer();
        var address = loop.App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        hook.Url = address.Replace("localhost", "127.0.0.1", StringComparison.Ordinal) + "/github/webhooks";
        using var client = loop.App.CreateClient();
        var before = Parse(await client.GetStringAsync("/metrics", Ct));

        // Act: a plan approved (commands, buttons, jobs, GitHub calls), deliveries new, duplicate, unsigned and broken,
        // the recovery of the missed one, then a job left waiting for 90 seconds.
        loop.AddReadyIssues();
        var (run, interaction) = await loop.PlanAsync();
        await loop.ApproveAsync(run, interaction);
        var sha = DailyLoopDriver.HeadSha(run.Tasks[0].IssueNumber);
        var opened = DailyLoopDriver.PullRequest("opened", 101, $"Fixes #{run.Tasks[0].IssueNumber}", sha, "agent");
        var id = await loop.WebhookAsync("pull_request", opened);
        await loop.WebhookAsync("pull_request", opened, id);
        using (var unsigned = new HttpRequestMessage(HttpMethod.Post, "/github/webhooks") { Content = new StringContent("{}") })
        {
            unsigned.Headers.Add("X-GitHub-Event", "ping");
            unsigned.Headers.Add("X-GitHub-Delivery", Guid.NewGuid().ToString());
            using var refused = await client.SendAsync(unsigned, Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        await loop.WebhookAsync("pull_request", new JsonObject { ["action"] = "opened", ["pull_request"] = "not an object", ["number"] = 1 });
        await loop.DrainAsync();
        await loop.App.Services.GetRequiredService<PeriodicTaskRunner>().RunAllAsync(Ct);
        await loop.DrainAsync();
        await loop.GitHub.RedeliveriesAsync();
        await loop.DrainAsync();
        await loop.WebhookAsync("check_suite", DailyLoopDriver.CheckSuite(sha, "success"));
        loop.Time.Advance(TimeSpan.FromSeconds(90));
        var text = await client.GetStringAsync("/metrics", Ct);
        var after = Parse(text);

        // Assert
        Assert.True(text.Contains("# TYPE orchestrator_webhook_deliveries_total counter", StringComparison.Ordinal), text);
        Assert.Equal(4, Sum(after, "orchestrator_webhook_deliveries_total", "outcome=\"accepted\""));
        Assert.Equal(1, Sum(after, "orchestrator_webhook_deliveries_total", "outcome=\"duplicate\"") - Sum(before, "orchestrator_webhook_deliveries_total", "outcome=\"duplicate\""));
        Assert.Equal(1, Sum(after, "orchestrator_requests_refused_total", "reason=\"signature\""));
        Assert.Equal(1, Sum(after, "orchestrator_discord_interactions_total", "command=\"plan\""));
        Assert.Equal(1, Sum(after, "orchestrator_discord_interactions_total", "command=\"approve\""));
        Assert.Equal(2, Sum(after, "orchestrator_discord_interaction_duration_milliseconds_count"));
        Assert.Contains(after, m => m.Name == "orchestrator_discord_interaction_duration_milliseconds_bucket" && m.Labels.Contains("le=\"3000\"", StringComparison.Ordinal));
        Assert.Equal(1, Sum(after, "orchestrator_jobs_queue_depth"));
        Assert.Equal(90, Sum(after, "orchestrator_jobs_oldest_due_age_seconds"));
        Assert.Equal(1, Sum(after, "orchestrator_jobs_dead_letters"));
        Assert.Equal(1, Sum(after, "orchestrator_jobs_finished_total", "kind=\"github.webhook\",outcome=\"completed\"")); // the opened PR; issues.opened has no handler, so no job
        Assert.Equal(1, Sum(after, "orchestrator_jobs_finished_total", "kind=\"run.dispatch\",outcome=\"completed\""));
        Assert.Equal(1, Sum(after, "orchestrator_jobs_finished_total", "kind=\"github.recover-deliveries\",outcome=\"completed\""));
        Assert.Equal(1, Sum(after, "orchestrator_jobs_finished_total", "outcome=\"dead_lettered\""));
        var remaining = Sum(after, "orchestrator_github_ratelimit_remaining", "resource=\"core\"");
        Assert.InRange(remaining, 1, 4999); // the fake counts down from 5000 with every request
        Assert.Equal(1, Sum(after, "orchestrator_deliveries_recovered_total", "event=\"issues\""));
        Assert.Equal(1, Sum(after, "orchestrator_runs", "state=\"in_progress\""));
        Assert.Equal(0, Sum(after, "orchestrator_runs", "state=\"completed\""));
        Assert.Equal(0, Sum(before, "orchestrator_jobs_dead_letters"));
        Assert.Equal(3, Sum(after, "orchestrator_agent_tasks", "executor=\"workflow\"", "outcome=\"dispatched\""));
        Assert.Equal(1, Sum(after, "orchestrator_agent_tasks", "executor=\"workflow\"", "outcome=\"pull_request\""));
        Assert.Equal(0, Sum(after, "orchestrator_agent_tasks", "executor=\"workflow\"", "outcome=\"merged\""));
        Assert.Single(after, m => m.Name == "orchestrator_agent_median_time_seconds" && m.Labels.Contains("to=\"pull_request\"", StringComparison.Ordinal));
        Assert.DoesNotContain(before, m => m.Name.StartsWith("orchestrator_agent_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_agents_scoreboard_of_the_last_30_days_is_in_gauges_per_executor()
    {
        // Arrange: the seeded history on 1 December (ScoreboardTests works its figures out by hand)
        await using var loop = await DailyLoopDriver.StartAsync(new Dictionary<string, string?>(ScoreboardHistory.Settings()), ScoreboardHistory.Until);
        foreach (var run in ScoreboardHistory.Runs())
        {
            await loop.Runs.CreateAsync(run, Ct);
        }

        using var client = loop.App.CreateClient();

        // Act
        var text = await client.GetStringAsync("/metrics", Ct);
        var metrics = Parse(text);

        // Assert
        Assert.True(text.Contains("# TYPE orchestrator_agent_tasks gauge", StringComparison.Ordinal), text);
        (string Outcome, double Claude, double Copilot, double OpenHands)[] expected =
        [
            ("dispatched", 6, 4, 2), ("pull_request", 5, 3, 1), ("first_head_judged", 4, 3, 1), ("first_head_green", 3, 1, 1),
            ("merged", 4, 2, 1), ("failed", 1, 2, 0), ("shipped", 3, 1, 1),
        ];
        Assert.All(expected, e => Assert.Equal(
            (e.Outcome, e.Claude, e.Copilot, e.OpenHands),
            (e.Outcome, Agent(metrics, "orchestrator_agent_tasks", "claude", $"outcome=\"{e.Outcome}\""), Agent(metrics, "orchestrator_agent_tasks", "copilot", $"outcome=\"{e.Outcome}\""), Agent(metrics, "orchestrator_agent_tasks", "openhands", $"outcome=\"{e.Outcome}\""))));
        Assert.Equal(3600, Agent(metrics, "orchestrator_agent_median_time_seconds", "claude", "to=\"pull_request\""));
        Assert.Equal(12600, Agent(metrics, "orchestrator_agent_median_time_seconds", "claude", "to=\"merge\""));
        Assert.Equal(7500, Agent(metrics, "orchestrator_agent_median_time_seconds", "copilot", "to=\"merge\""));
        Assert.Equal(21600, Agent(metrics, "orchestrator_agent_median_time_seconds", "openhands", "to=\"merge\""));
    }

    private static double Agent(List<Sample> samples, string name, string executor, string label) =>
        Assert.Single(samples, s => s.Name == name && s.Labels.Contains($"executor=\"{executor}\"", StringComparison.Ordinal) && s.Labels.Contains(label, StringComparison.Ordinal)).Value;

    private sealed record Sample(string Name, string Labels, double Value);

    /// <summary>The exposition's samples: <c>name{labels} value</c> lines; comments (# HELP, # TYPE) are left out.</summary>
    private static List<Sample> Parse(string exposition)
    {
        var samples = new List<Sample>();
        foreach (var line in exposition.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var end = brace >= 0 ? line.LastIndexOf('}') : -1;
            var name = brace >= 0 ? line[..brace] : line[..line.IndexOf(' ', StringComparison.Ordinal)];
            var labels = brace >= 0 ? line[(brace + 1)..end] : string.Empty;
            var valueText = line[((end >= 0 ? end : name.Length) + 1)..].Trim().Split(' ')[0];
            samples.Add(new Sample(name, labels, double.Parse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture)));
        }

        return samples;
    }

    private static double Sum(List<Sample> samples, string name, params string[] labels) =>
        samples.Where(s => s.Name == name && labels.All(l => s.Labels.Contains(l, StringComparison.Ordinal))).Sum(s => s.Value);
}
