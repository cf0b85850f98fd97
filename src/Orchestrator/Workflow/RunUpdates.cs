using Orchestrator.Runs;
using Orchestrator.Storage;

namespace Orchestrator.Workflow;

/// <summary>Changes a task of a run (with optimistic retries) and queues the work that follows: status refreshes, notices, dispatches.</summary>
public sealed class RunUpdates(IRunStore runs, IJobQueue jobs, TimeProvider time)
{
    /// <summary>
    /// Status edits of one run are coalesced per window: a leading edit (due at once) and a trailing one (due at the
    /// window's end) whatever the number of events, so Discord sees at most two edits per run per window, the latest
    /// state each time (the job reads the run when it runs), and the final state within a window of the last event.
    /// Discord's own limit on edits in one channel is 5 per 5 s.
    /// </summary>
    public static readonly TimeSpan StatusWindow = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Applies <paramref name="change"/> to one task and returns the run before and after, or null when the
    /// task did not change.
    /// </summary>
    public async Task<(Run Before, Run After)?> ChangeTaskAsync(RunId runId, int issue, Func<Run, RunTask, RunTask> change, CancellationToken cancellationToken)
    {
        Run? before = null;
        var after = await runs.UpdateWithRetryAsync(
            runId,
            current =>
            {
                before = current;
                var task = current.Task(issue);
                if (task is null || !Run.IsActive(current.State))
                {
                    return null;
                }

                var changed = change(current, task);
                return SameTask(changed, task) ? null : current.WithTask(changed);
            },
            cancellationToken);
        return before is null || after.Version == before.Version ? null : (before, after);
    }

    /// <summary>
    /// Queues a refresh of the status message (coalesced, see <see cref="StatusWindow"/>) and, if given, a notice in
    /// the thread (each posted once); with <paramref name="approveCiIssue"/> the notice carries the Approve CI button
    /// for that task, with <paramref name="askIssue"/> the Ask on GitHub button.
    /// </summary>
    public async Task NotifyAsync(Run run, string key, string? notice, CancellationToken cancellationToken, int? approveCiIssue = null, int? askIssue = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (notice is not null)
        {
            await jobs.EnqueueAsync(
                WorkflowJobs.For(WorkflowJobs.Update, $"update:{run.Id}:{key}", new UpdateJob(run.Id.Value, notice, approveCiIssue, askIssue), WorkflowJsonContext.Default.UpdateJob),
                cancellationToken);
        }

        var window = time.GetUtcNow().UtcTicks / StatusWindow.Ticks;
        var status = new UpdateJob(run.Id.Value);
        await jobs.EnqueueAsync(
            WorkflowJobs.For(WorkflowJobs.Update, $"status:{run.Id}:{window}:lead", status, WorkflowJsonContext.Default.UpdateJob),
            cancellationToken);
        await jobs.EnqueueAsync(
            WorkflowJobs.For(
                WorkflowJobs.Update,
                $"status:{run.Id}:{window}:trail",
                status,
                WorkflowJsonContext.Default.UpdateJob,
                new DateTimeOffset((window + 1) * StatusWindow.Ticks, TimeSpan.Zero)),
            cancellationToken);
    }

    /// <summary>Queues the dispatch of the run's queued tasks; <paramref name="key"/> makes it idempotent (e.g. "dispatch:RUN").</summary>
    public Task DispatchAsync(Run run, string key, CancellationToken cancellationToken) =>
        EnqueueAsync(WorkflowJobs.Dispatch, key, run, cancellationToken);

    /// <summary>Queues a job about one task of a run (approve its CI, open its agent's pull request).</summary>
    public Task EnqueueTaskAsync(string kind, string key, Run run, int issue, string? branch, CancellationToken cancellationToken) =>
        jobs.EnqueueAsync(WorkflowJobs.For(kind, key, new TaskJob(run.Id.Value, issue, branch), WorkflowJsonContext.Default.TaskJob), cancellationToken);

    public Task EnqueueAsync(string kind, string key, Run run, CancellationToken cancellationToken) =>
        jobs.EnqueueAsync(WorkflowJobs.For(kind, key, new RunJob(run.Id.Value), WorkflowJsonContext.Default.RunJob), cancellationToken);

    /// <summary>Fails a shipping run with <paramref name="reason"/> and says so in its thread.</summary>
    public async Task<Run> FailShipAsync(Run run, string reason, CancellationToken cancellationToken)
    {
        var failed = await runs.UpdateWithRetryAsync(
            run.Id,
            current => current.State == RunState.Shipping ? current with { State = RunState.Failed, Reason = reason } : null,
            cancellationToken);
        await NotifyAsync(failed, "ship-failed", "❌ Ship failed: " + reason, cancellationToken);
        return failed;
    }

    /// <summary>True when this change made the last task shippable.</summary>
    public static bool BecameShippable(Run before, Run after) =>
        after.Tasks.Count > 0 && after.Tasks.All(Tracking.IsShippable) && !before.Tasks.All(Tracking.IsShippable);

    /// <summary>Equal field by field, the checks by content: a check reported again with the same result changes nothing.</summary>
    private static bool SameTask(RunTask a, RunTask b) =>
        a == b
        || (a with { Checks = null } == b with { Checks = null }
            && (a.Checks?.Count ?? 0) == (b.Checks?.Count ?? 0)
            && (a.Checks ?? new Dictionary<string, string>()).All(c => b.Checks is not null && b.Checks.TryGetValue(c.Key, out var v) && v == c.Value));
}
