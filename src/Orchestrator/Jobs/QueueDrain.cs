using Microsoft.Extensions.Options;
using Orchestrator.Storage;

namespace Orchestrator.Jobs;

/// <param name="Claimed">Jobs leased by this drain.</param>
/// <param name="Completed">Jobs whose handler succeeded.</param>
/// <param name="Failed">Jobs whose handler failed and that the runner re-queued or dead-lettered.</param>
/// <param name="Errors">Jobs whose outcome could not be recorded (store errors); their leases expire and they run again.</param>
/// <param name="BudgetExhausted">True when the drain stopped because its time budget ran out, not because no job was due.</param>
public sealed record DrainResult(int Claimed, int Completed, int Failed, int Errors, bool BudgetExhausted);

/// <summary>
/// Claims and runs due jobs in rounds of <see cref="JobOptions.Concurrency"/> until none is due or the time budget
/// runs out. Used by the scheduled Lambda tick, whose invocation must end before the function's timeout: no new round
/// starts after the budget, and the rounds already running finish.
/// </summary>
public sealed partial class QueueDrain(
    IJobQueue queue,
    JobRunner runner,
    IOptions<JobOptions> options,
    TimeProvider time,
    ILogger<QueueDrain> logger)
{
    public async Task<DrainResult> DrainAsync(TimeSpan budget, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var started = time.GetTimestamp();
        int claimed = 0, completed = 0, failed = 0, errors = 0;
        while (true)
        {
            if (time.GetElapsedTime(started) >= budget)
            {
                Log.BudgetExhausted(logger, budget, claimed);
                return new(claimed, completed, failed, errors, BudgetExhausted: true);
            }

            // A store error here ends the drain and reaches the caller: the tick then fails visibly.
            var jobs = await queue.ClaimAsync(runner.WorkerId, o.Lease, o.Concurrency, cancellationToken);
            if (jobs.Count == 0)
            {
                return new(claimed, completed, failed, errors, BudgetExhausted: false);
            }

            claimed += jobs.Count;
            var outcomes = await Task.WhenAll(jobs.Select(job => RunOneAsync(job, cancellationToken)));
            completed += outcomes.Count(x => x == Outcome.Completed);
            failed += outcomes.Count(x => x == Outcome.Failed);
            errors += outcomes.Count(x => x == Outcome.Error);
        }
    }

    private async Task<Outcome> RunOneAsync(Job job, CancellationToken cancellationToken)
    {
        try
        {
            return await runner.RunAsync(job, cancellationToken) ? Outcome.Completed : Outcome.Failed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            Log.RecordFailed(logger, ex, job.Id);
            return Outcome.Error;
        }
    }

    private enum Outcome
    {
        Completed,
        Failed,
        Error,
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 340, Level = LogLevel.Warning, Message = "Drain stopped after its budget of {Budget} with {Claimed} job(s) claimed; the next tick continues")]
        public static partial void BudgetExhausted(ILogger logger, TimeSpan budget, int claimed);

        [LoggerMessage(EventId = 341, Level = LogLevel.Error, Message = "Recording the outcome of job {JobId} failed; its lease will expire and it will run again")]
        public static partial void RecordFailed(ILogger logger, Exception exception, string jobId);
    }
}
