using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using Orchestrator.Discord;
using Orchestrator.GitHub;
using Orchestrator.Jobs;
using Orchestrator.Runs;
using Orchestrator.Storage;

namespace Orchestrator.Workflow.Handlers;

/// <summary>Dispatches the deploy workflow of a shipping run, once; its workflow_run events (or the ship watch) finish it.</summary>
public sealed class ShipJobHandler(
    IGitHubApi github,
    Effects effects,
    RunUpdates updates,
    IOptionsMonitor<WorkflowOptions> options,
    IOptions<JobOptions> jobOptions) : IJobHandler
{
    public string Kind => WorkflowJobs.Ship;

    public async Task HandleAsync(Job job, CancellationToken cancellationToken)
    {
        var run = await updates.Runs.GetAsync(new RunId(WorkflowJobs.Read(job, WorkflowJsonContext.Default.RunJob).RunId), cancellationToken);
        if (run is not { State: RunState.Shipping, Ship: { } ship })
        {
            return;
        }

        var deploy = options.CurrentValue.Find(run.Repository)?.Deploy;
        if (deploy?.Workflow is not { } workflow)
        {
            await ShipOutcome.FailAsync(updates, run, "No deploy workflow is configured any more.", cancellationToken);
            return;
        }

        try
        {
            await effects.OnceAsync(
                $"ship:{run.Id}:dispatch",
                async ct => (await github.FindWorkflowRunAsync(run.Repository, workflow, ship.CorrelationId, ship.RequestedAt.AddMinutes(-5), ct))?.Id.ToString(CultureInfo.InvariantCulture),
                async ct =>
                {
                    await github.DispatchWorkflowAsync(
                        run.Repository,
                        workflow,
                        deploy.Ref,
                        new Dictionary<string, string> { ["run_id"] = run.Id.Value, ["correlation_id"] = ship.CorrelationId },
                        ct);
                    return "workflow_dispatch";
                },
                cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && WorkflowJobs.IsLastAttempt(job, jobOptions.Value))
        {
            await ShipOutcome.FailAsync(updates, run, $"The deploy workflow could not be dispatched: {WorkflowJobs.Describe(ex)}", cancellationToken);
            return;
        }

        await updates.NotifyAsync(run, "ship-dispatched", $"🚀 Deploy workflow `{Markdown.Escape(workflow)}` dispatched (`{ship.CorrelationId}`).", cancellationToken);
    }
}

/// <summary>
/// Finishes a shipping run whose deploy ended: on success checks the health URL, closes the issues with a
/// comment linking the deploy, completes the run and posts the summary; otherwise fails the run with the reason.
/// </summary>
public sealed class FinishJobHandler(
    IGitHubApi github,
    Effects effects,
    RunUpdates updates,
    ThreadMessages messages,
    IHttpClientFactory http,
    IOptionsMonitor<WorkflowOptions> options,
    TimeProvider time) : IJobHandler
{
    public const string HealthClient = "deploy-health";

    public string Kind => WorkflowJobs.Finish;

    public async Task HandleAsync(Job job, CancellationToken cancellationToken)
    {
        var run = await updates.Runs.GetAsync(new RunId(WorkflowJobs.Read(job, WorkflowJsonContext.Default.RunJob).RunId), cancellationToken);
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
            var failed = await ShipOutcome.FailAsync(updates, run, $"The deploy ended `{conclusion}`{(ship.WorkflowRunUrl is null ? "." : $": [workflow run](<{ship.WorkflowRunUrl}>)")}", cancellationToken);
            await PostSummaryAsync(failed, cancellationToken);
            return;
        }

        var deploy = options.CurrentValue.Find(run.Repository)?.Deploy;
        if (deploy?.HealthUrl is { } healthUrl && ship.HealthStatus is null)
        {
            var (status, latency) = await CheckHealthAsync(healthUrl, cancellationToken);
            run = await updates.Runs.UpdateWithRetryAsync(run.Id, current => current with { Ship = current.Ship! with { HealthStatus = status, HealthLatencyMs = latency } }, cancellationToken);
            if (status is < 200 or >= 300)
            {
                var failed = await ShipOutcome.FailAsync(updates, run, $"The deploy succeeded but the health check of {healthUrl} answered {(status == 0 ? "nothing" : "HTTP " + status.ToString(CultureInfo.InvariantCulture))}.", cancellationToken);
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
                + "\n\n" + DispatchJobHandler.Marker(commentKey);
            await effects.OnceAsync(
                commentKey,
                async ct => (await github.ListCommentsAsync(run.Repository, task.IssueNumber, ct)).Any(c => c.Body.Contains(DispatchJobHandler.Marker(commentKey), StringComparison.Ordinal)),
                ct => github.CreateCommentAsync(run.Repository, task.IssueNumber, comment, ct),
                cancellationToken);
            await effects.OnceAsync(
                key,
                async ct => (await github.GetIssueAsync(run.Repository, task.IssueNumber, ct))?.State == "closed",
                ct => github.CloseIssueAsync(run.Repository, task.IssueNumber, comment: null, ct),
                cancellationToken);
        }

        var completed = await updates.Runs.UpdateWithRetryAsync(run.Id, current => current.State == RunState.Shipping ? current with { State = RunState.Completed } : null, cancellationToken);
        await updates.NotifyAsync(completed, "completed", null, cancellationToken);
        await PostSummaryAsync(completed, cancellationToken);
    }

    private async Task PostSummaryAsync(Run run, CancellationToken cancellationToken)
    {
        if (run.Discord?.ThreadId is { } thread)
        {
            await messages.PostOnceAsync($"run:{run.Id}:summary", thread, RunViews.ShipSummary(run, time), cancellationToken);
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

internal static class ShipOutcome
{
    public static async Task<Run> FailAsync(RunUpdates updates, Run run, string reason, CancellationToken cancellationToken)
    {
        var failed = await updates.Runs.UpdateWithRetryAsync(
            run.Id,
            current => current.State == RunState.Shipping ? current with { State = RunState.Failed, Reason = reason } : null,
            cancellationToken);
        await updates.NotifyAsync(failed, "ship-failed", "❌ Ship failed: " + reason, cancellationToken);
        return failed;
    }
}

/// <summary>Follows /status up with the latest runs of the deploy workflow (a GitHub call, so not in the 3-second answer).</summary>
public sealed class DeployStatusJobHandler(IGitHubApi github, IDiscordApi discord, IOptionsMonitor<WorkflowOptions> options, TimeProvider time) : IJobHandler
{
    public string Kind => WorkflowJobs.DeployStatus;

    public async Task HandleAsync(Job job, CancellationToken cancellationToken)
    {
        var request = WorkflowJobs.Read(job, WorkflowJsonContext.Default.DeployStatusJob);
        if (!request.Interaction.IsUsable(time.GetUtcNow()) || options.CurrentValue.Find(request.Repository)?.Deploy.Workflow is not { } workflow)
        {
            return;
        }

        var runs = await github.ListWorkflowRunsAsync(request.Repository, workflow, 5, cancellationToken);
        var lines = runs.Count == 0
            ? $"No run of `{Markdown.Escape(workflow)}` yet."
            : string.Join('\n', runs.Select(r => $"• [{Markdown.Escape(Markdown.Truncate(r.DisplayTitle ?? r.Name ?? "run", 80))}](<{r.HtmlUrl}>) — {r.Status}{(r.Conclusion is null ? string.Empty : "/" + r.Conclusion)} · {r.CreatedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC"));
        await discord.CreateFollowupMessageAsync(
            request.Interaction.ApplicationId,
            request.Interaction.Token,
            MessagePayload.Text($"**Latest deploys of `{request.Repository}`**\n{lines}", ephemeral: true),
            cancellationToken);
    }
}
