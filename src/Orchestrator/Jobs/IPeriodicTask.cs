namespace Orchestrator.Jobs;

/// <summary>
/// Work that runs about once a minute rather than per job: stale-task sweeps, scheduled plans, re-queueing.
/// Locally the hosted <see cref="JobWorker"/> runs every registered task each
/// <see cref="JobOptions.PeriodicInterval"/>; on Lambda the EventBridge schedule runs them on each tick. A task must
/// be idempotent and quick: two workers may run it at the same time, and it shares the tick's time budget.
/// </summary>
public interface IPeriodicTask
{
    /// <summary>A short stable name for logs and the tick's answer, e.g. "runs.sweep-stale".</summary>
    string Name { get; }

    Task RunAsync(CancellationToken cancellationToken);
}
