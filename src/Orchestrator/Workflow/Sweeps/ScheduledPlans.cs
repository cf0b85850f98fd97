using System.Globalization;
using Cronos;
using Microsoft.Extensions.Options;
using Orchestrator.Jobs;
using Orchestrator.Runs;
using Orchestrator.Storage;

namespace Orchestrator.Workflow.Sweeps;

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
