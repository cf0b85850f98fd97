using System.Globalization;
using Microsoft.Extensions.Options;
using Orchestrator.Jobs;
using Orchestrator.Storage;

namespace Orchestrator.Workflow.Sweeps;

/// <summary>
/// GitHub does not redeliver a failed webhook by itself, so every Tracking:ReconcileInterval (default 5 minutes, 0 turns
/// it off) one reconciliation job re-reads the active tasks from GitHub. The job's key is the interval's start, so one
/// round runs per interval however many workers tick (and a restart runs the round it missed).
/// </summary>
public sealed class Reconciliation(IJobQueue jobs, IOptionsMonitor<WorkflowOptions> options, TimeProvider time) : IPeriodicTask
{
    public string Name => "reconcile";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var interval = options.CurrentValue.Tracking.ReconcileInterval;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        var now = time.GetUtcNow();
        var start = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % interval.Ticks), TimeSpan.Zero);
        await jobs.EnqueueAsync(
            WorkflowJobs.For(WorkflowJobs.Reconcile, "reconcile:" + start.ToString("O", CultureInfo.InvariantCulture), new ReconcileJob(start), WorkflowJsonContext.Default.ReconcileJob),
            cancellationToken);
    }
}
