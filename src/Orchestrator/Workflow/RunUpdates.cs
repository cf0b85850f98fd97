using Orchestrator.Runs;
using Orchestrator.Storage;

namespace Orchestrator.Workflow;

/// <summary>Changes a task of a run (with optimistic retries) and queues the status refresh and notices that follow.</summary>
public sealed class RunUpdates(IRunStore runs, IJobQueue jobs)
{
    public IRunStore Runs => runs;

    /// <summary>
    /// Applies <paramref name="change"/> to one task and returns the run before and after, or null when the
    /// task did not change. <paramref name="key"/> makes the follow-up jobs idempotent (e.g. the delivery id).
    /// </summary>
    public async Task<(Run Before, Run After)?> ChangeTaskAsync(RunId runId, int issue, Func<Run, RunTask, RunTask> change, CancellationToken cancellationToken)
    {
        Run? before = null;
        var after = await runs.UpdateWithRetryAsync(
            runId,
            current =>
            {
                before = current;
                var task = current.Tasks.FirstOrDefault(t => t.IssueNumber == issue);
                if (task is null || !Run.IsActive(current.State))
                {
                    return null;
                }

                var changed = change(current, task);
                return changed == task ? null : current with { Tasks = [.. current.Tasks.Select(t => t.IssueNumber == issue ? changed : t)] };
            },
            cancellationToken);
        return before is null || after.Version == before.Version ? null : (before, after);
    }

    /// <summary>Queues a refresh of the status message and, if given, a notice in the thread.</summary>
    public Task NotifyAsync(Run run, string key, string? notice, CancellationToken cancellationToken) =>
        jobs.EnqueueAsync(
            WorkflowJobs.For(WorkflowJobs.Update, $"update:{run.Id}:{key}", new UpdateJob(run.Id.Value, notice), WorkflowJsonContext.Default.UpdateJob),
            cancellationToken);

    public Task EnqueueAsync(string kind, string key, Run run, CancellationToken cancellationToken) =>
        jobs.EnqueueAsync(WorkflowJobs.For(kind, key, new RunJob(run.Id.Value), WorkflowJsonContext.Default.RunJob), cancellationToken);

    /// <summary>True when this change made the last task shippable.</summary>
    public static bool BecameShippable(Run before, Run after) =>
        after.Tasks.Count > 0 && after.Tasks.All(Tracking.IsShippable) && !before.Tasks.All(Tracking.IsShippable);
}
