using Microsoft.Extensions.Options;
using Orchestrator.Storage;

namespace Orchestrator.Jobs;

/// <summary>
/// One EventBridge schedule tick on Lambda: run every <see cref="IPeriodicTask"/> (which may enqueue work), drain the
/// due jobs within <see cref="JobOptions.DrainBudget"/>, then write the queue metrics. A store that cannot be reached
/// makes the tick throw, so the invocation fails and the Lambda errors alarm sees it.
/// </summary>
public sealed partial class ScheduledTick(
    PeriodicTaskRunner periodic,
    QueueDrain drain,
    IJobQueue queue,
    QueueMetrics metrics,
    IOptions<JobOptions> options,
    TimeProvider time,
    ILogger<ScheduledTick> logger)
{
    public async Task<ScheduledTickResponse> RunAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var periodicResults = await periodic.RunAllAsync(cancellationToken);
        var remaining = options.Value.DrainBudget - time.GetElapsedTime(started);
        var drained = await drain.DrainAsync(remaining, cancellationToken);

        JobQueueStats? stats = null;
        try
        {
            stats = await queue.GetStatsAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Without stats no metric line is written: the heartbeat alarm notices missing ticks.
            Log.StatsFailed(logger, ex);
        }

        var periodicFailures = periodicResults.Count(r => !r.Succeeded);
        if (stats is not null)
        {
            metrics.Emit(stats, drained, periodicFailures);
        }

        Log.Ticked(logger, periodicResults.Count, periodicFailures, drained.Claimed, drained.Completed, stats?.Pending, stats?.DeadLettered);
        return new(periodicResults, drained, stats?.Pending, stats?.DeadLettered);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 360, Level = LogLevel.Warning, Message = "Reading the queue statistics failed; no metrics this tick")]
        public static partial void StatsFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 361, Level = LogLevel.Information, Message = "Tick: {Periodic} periodic task(s), {PeriodicFailures} failed; {Claimed} job(s) claimed, {Completed} completed; {Pending} pending, {DeadLettered} dead-lettered")]
        public static partial void Ticked(ILogger logger, int periodic, int periodicFailures, int claimed, int completed, long? pending, long? deadLettered);
    }
}
