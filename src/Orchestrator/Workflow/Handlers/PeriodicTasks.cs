using System.Globalization;
using Cronos;
using Microsoft.Extensions.Options;
using Orchestrator.GitHub;
using Orchestrator.Jobs;
using Orchestrator.Runs;
using Orchestrator.Storage;

namespace Orchestrator.Workflow.Handlers;

/// <summary>Flags dispatched tasks that have no pull request after the repository's StaleAfter.</summary>
public sealed class StaleTaskSweep(RunUpdates updates, IOptionsMonitor<WorkflowOptions> options, TimeProvider time) : IPeriodicTask
{
    public string Name => "stale-tasks";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var run in await updates.Runs.ListActiveAsync(null, cancellationToken))
        {
            var staleAfter = options.CurrentValue.Find(run.Repository)?.StaleAfter ?? TimeSpan.FromHours(24);
            foreach (var task in run.Tasks.Where(t => t is { State: TaskState.Dispatched, FlaggedStale: false, DispatchedAt: { } at } && now - at >= staleAfter))
            {
                var result = await updates.ChangeTaskAsync(run.Id, task.IssueNumber, (_, t) => t.State == TaskState.Dispatched ? t with { FlaggedStale = true } : t, cancellationToken);
                if (result is { } changed)
                {
                    await updates.NotifyAsync(
                        changed.After,
                        $"stale:{task.IssueNumber}:{task.Attempts}",
                        $"⏰ #{task.IssueNumber} was dispatched {Hours(now - task.DispatchedAt!.Value)} ago and has no pull request yet. `/retry issue:{task.IssueNumber}` dispatches it again.",
                        cancellationToken);
                }
            }
        }
    }

    private static string Hours(TimeSpan span) => span.TotalHours >= 1 ? $"{(int)span.TotalHours}h" : $"{(int)span.TotalMinutes}m";
}

/// <summary>
/// Follows shipping runs when a workflow_run webhook went missing: looks the deploy run up by correlation id,
/// records its conclusion (the finish job takes it from there), and fails deploys that outlive the timeout.
/// </summary>
public sealed class ShipWatch(IGitHubApi github, RunUpdates updates, IOptionsMonitor<WorkflowOptions> options, TimeProvider time) : IPeriodicTask
{
    public string Name => "ship-watch";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        foreach (var run in await updates.Runs.ListActiveAsync(null, cancellationToken))
        {
            if (run is not { State: RunState.Shipping, Ship: { Conclusion: null } ship })
            {
                continue;
            }

            var deploy = options.CurrentValue.Find(run.Repository)?.Deploy;
            if (deploy?.Workflow is not { } workflow)
            {
                continue;
            }

            var found = await github.FindWorkflowRunAsync(run.Repository, workflow, ship.CorrelationId, ship.RequestedAt.AddMinutes(-5), cancellationToken);
            if (found is { Conclusion: { } conclusion })
            {
                var updated = await updates.Runs.UpdateWithRetryAsync(
                    run.Id,
                    current => current.Ship is { Conclusion: null } ? current with { Ship = current.Ship with { WorkflowRunId = found.Id, WorkflowRunUrl = found.HtmlUrl.ToString(), Conclusion = conclusion, CompletedAt = time.GetUtcNow() } } : null,
                    cancellationToken);
                await updates.EnqueueAsync(WorkflowJobs.Finish, $"finish:{run.Id}", updated, cancellationToken);
            }
            else if (time.GetUtcNow() - ship.RequestedAt > deploy.Timeout)
            {
                await ShipOutcome.FailAsync(updates, run, $"The deploy did not finish within {deploy.Timeout.TotalMinutes.ToString(CultureInfo.InvariantCulture)} minutes.", cancellationToken);
            }
        }
    }
}

/// <summary>
/// Creates each repository's scheduled plan: when a cron occurrence has passed (within the catch-up window),
/// it enqueues a plan job keyed by that occurrence, so every occurrence yields one plan however often it runs.
/// </summary>
public sealed class ScheduledPlans(IJobQueue jobs, IOptionsMonitor<WorkflowOptions> options, TimeProvider time) : IPeriodicTask
{
    /// <summary>How late a missed occurrence is still planned (e.g. after a restart).</summary>
    public static readonly TimeSpan CatchUp = TimeSpan.FromHours(1);

    public string Name => "scheduled-plans";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var repo in options.CurrentValue.Repositories.Where(r => r.Schedule.Cron is not null))
        {
            var cron = CronExpression.Parse(repo.Schedule.Cron!);
            var zone = TimeZoneInfo.FindSystemTimeZoneById(repo.Schedule.TimeZone);
            var occurrence = cron.GetOccurrences(now - CatchUp, now, zone, fromInclusive: true, toInclusive: true).LastOrDefault();
            if (occurrence == default)
            {
                continue;
            }

            var channel = repo.Schedule.ChannelId ?? repo.ChannelId!;
            var plan = new PlanJob(RunId.New(time).Value, repo.Name, repo.Label, repo.Limit, channel, null, "schedule", null);
            await jobs.EnqueueAsync(
                WorkflowJobs.For(WorkflowJobs.Plan, $"schedule:{repo.Name}:{occurrence.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)}", plan, WorkflowJsonContext.Default.PlanJob),
                cancellationToken);
        }
    }
}
