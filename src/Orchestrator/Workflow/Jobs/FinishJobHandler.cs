using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using Orchestrator.GitHub;
using Orchestrator.Jobs;
using Orchestrator.Runs;
using Orchestrator.Storage;

namespace Orchestrator.Workflow.Jobs;

/// <summary>
/// Finishes a shipping run whose deploy ended: on success checks the health URL, closes the issues with a
/// comment linking the deploy, completes the run and posts the summary; otherwise fails the run with the reason.
/// </summary>
public sealed class FinishJobHandler(
    IGitHubApi github,
    Effects effects,
    RunUpdates updates,
    IRunStore runs,
    ThreadMessages messages,
    IHttpClientFactory http,
    IOptionsMonitor<WorkflowOptions> options,
    TimeProvider time) : IJobHandler
{
    public const string HealthClient = "deploy-health";

    public string Kind => WorkflowJobs.Finish;

    public async Task HandleAsync(Job job, CancellationToken cancellationToken)
    {
        var run = await runs.GetAsync(new RunId(WorkflowJobs.Read(job, WorkflowJsonContext.Default.RunJob).RunId), cancellationToken);
        if (run is not { State: RunState.Shipping, Ship: { Conclusion: { } conclusion } ship })
        {
            if (run is { State: RunState.Completed or RunState.Failed, Ship: not null })
            {
                await PostSummaryAsync(run, cancellationToken);
            }

            return;
        }

        if (!string.Equals(conclusion, "success", StringComparison.Ordinal))
        {
            var failed = await updates.FailShipAsync(run, $"The deploy ended `{conclusion}`{(ship.WorkflowRunUrl is null ? "." : $": [workflow run](<{ship.WorkflowRunUrl}>)")}", cancellationToken);
            await PostSummaryAsync(failed, cancellationToken);
            return;
        }

        var deploy = options.CurrentValue.Find(run.Repository)?.Deploy;
        if (deploy?.HealthUrl is { } healthUrl && ship.HealthStatus is null)
        {
            var (status, latency) = await CheckHealthAsync(healthUrl, cancellationToken);
            run = await runs.UpdateWithRetryAsync(run.Id, current => current with { Ship = current.Ship! with { HealthStatus = status, HealthLatencyMs = latency } }, cancellationToken);
            if (status is < 200 or >= 300)
            {
                var failed = await updates.FailShipAsync(run, $"The deploy succeeded but the health check of {healthUrl} answered {(status == 0 ? "nothing" : "HTTP " + status.ToString(CultureInfo.InvariantCulture))}.", cancellationToken);
                await PostSummaryAsync(failed, cancellationToken);
                return;
            }
        }

        foreach (var task in run.Tasks.Where(t => t.State == TaskState.Merged))
        {
            // Two effects: when closing fails after the comment was posted, the retry finds the comment by its
            // marker and only closes, so every issue gets one comment.
            var key = $"close:{run.Id}:{task.IssueNumber}";
            var commentKey = key + ":comment";
            var comment = $"Shipped in run `{run.Id}` by Orchestrator{(ship.WorkflowRunUrl is null ? "." : $": deploy {ship.WorkflowRunUrl}")}"
                + (task.PullRequestUrl is null ? string.Empty : $" (pull request {task.PullRequestUrl})")
                + "\n\n" + Executors.CommentMarker.For(commentKey);
            await effects.OnceAsync(
                commentKey,
                async ct => (await github.ListCommentsAsync(run.Repository, task.IssueNumber, ct)).Any(c => c.Body.Contains(Executors.CommentMarker.For(commentKey), StringComparison.Ordinal)),
                ct => github.CreateCommentAsync(run.Repository, task.IssueNumber, comment, ct),
                cancellationToken);
            await effects.OnceAsync(
                key,
                async ct => (await github.GetIssueAsync(run.Repository, task.IssueNumber, ct))?.State == "closed",
                ct => github.CloseIssueAsync(run.Repository, task.IssueNumber, comment: null, ct),
                cancellationToken);
        }

        var completed = await runs.UpdateWithRetryAsync(run.Id, current => current.State == RunState.Shipping ? current with { State = RunState.Completed } : null, cancellationToken);
        await updates.NotifyAsync(completed, "completed", null, cancellationToken);
        await PostSummaryAsync(completed, cancellationToken);
    }

    private async Task PostSummaryAsync(Run run, CancellationToken cancellationToken)
    {
        if (run.Discord?.ThreadId is { } thread)
        {
            await messages.PostOnceAsync($"run:{run.Id}:summary", thread, RunViews.ShipSummary(run, time, (r, t) => ScoreboardQuery.ExecutorOf(options.CurrentValue, r, t)), cancellationToken);
        }
    }

    private async Task<(int Status, double LatencyMs)> CheckHealthAsync(Uri url, CancellationToken cancellationToken)
    {
        using var client = http.CreateClient(HealthClient);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await client.GetAsync(url, cancellationToken);
            return ((int)response.StatusCode, Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (0, Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1));
        }
    }
}
