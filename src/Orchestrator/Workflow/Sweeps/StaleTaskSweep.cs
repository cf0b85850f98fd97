using Microsoft.Extensions.Options;
using Orchestrator.Jobs;
using Orchestrator.Runs;
using Orchestrator.Storage;

namespace Orchestrator.Workflow.Sweeps;

/// <summary>Flags dispatched tasks that have no pull request after the repository's StaleAfter.</summary>
public sealed class StaleTaskSweep(RunUpdates updates, IRunStore runs, IOptionsMonitor<WorkflowOptions> options, TimeProvider time) : IPeriodicTask
{
    public string Name => "stale-tasks";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var run in await runs.ListActiveAsync(null, cancellationToken))
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
