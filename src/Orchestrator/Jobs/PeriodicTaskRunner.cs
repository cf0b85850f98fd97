using System.Diagnostics;
using Orchestrator.Storage;

namespace Orchestrator.Jobs;

public sealed record PeriodicTaskResult(string Name, bool Succeeded, double ElapsedMs);

/// <summary>Runs every registered <see cref="IPeriodicTask"/> once, one after the other; one failing task does not stop the others.</summary>
public sealed partial class PeriodicTaskRunner(IEnumerable<IPeriodicTask> tasks, ILogger<PeriodicTaskRunner> logger)
{
    private readonly IReadOnlyList<IPeriodicTask> _tasks = [.. tasks];

    public int Count => _tasks.Count;

    public async Task<IReadOnlyList<PeriodicTaskResult>> RunAllAsync(CancellationToken cancellationToken)
    {
        // Periodic work belongs to no request: the jobs it enqueues carry no trace context, even when a tick (a Lambda
        // event's request) runs it. The caller's span is current again once this returns.
        Activity.Current = null;
        var results = new List<PeriodicTaskResult>(_tasks.Count);
        foreach (var task in _tasks)
        {
            var started = Stopwatch.GetTimestamp();
            var succeeded = true;
            try
            {
                await task.RunAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (StoreUnavailableException ex)
            {
                // The worker reports a store outage (once, then at a slowing interval); a line per task per tick adds nothing.
                succeeded = false;
                var cause = ex.Describe();
                Log.StoreUnavailable(logger, task.Name, cause);
            }
            catch (Exception ex)
            {
                succeeded = false;
                Log.Failed(logger, ex, task.Name);
            }

            results.Add(new(task.Name, succeeded, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
        }

        return results;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 330, Level = LogLevel.Error, Message = "Periodic task {Task} failed; it runs again at the next tick")]
        public static partial void Failed(ILogger logger, Exception exception, string task);

        [LoggerMessage(EventId = 331, Level = LogLevel.Debug, Message = "Periodic task {Task} skipped: the store is unavailable ({Cause})")]
        public static partial void StoreUnavailable(ILogger logger, string task, string cause);
    }
}
