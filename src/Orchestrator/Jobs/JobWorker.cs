using Microsoft.Extensions.Options;
using Orchestrator.Storage;

namespace Orchestrator.Jobs;

/// <summary>
/// The in-process worker: claims due jobs and runs them with bounded concurrency. On shutdown it stops
/// claiming, lets running jobs finish within the host's shutdown timeout, and releases the leases of any it
/// had to abandon. It also runs every <see cref="IPeriodicTask"/> at start and then each
/// <see cref="JobOptions.PeriodicInterval"/>, one round at a time, beside the jobs. Off on Lambda
/// (Orchestrator:Worker:Hosted=false), where stream and schedule triggers drain the queue and run the periodic tasks.
/// </summary>
public sealed partial class JobWorker(
    IJobQueue queue,
    JobRunner runner,
    PeriodicTaskRunner periodic,
    IOptions<JobOptions> options,
    TimeProvider time,
    ILogger<JobWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var running = new List<Task>();
        var periodicRound = Task.CompletedTask;
        var nextPeriodic = time.GetUtcNow();
        var outage = new Outage(time);
        while (!stoppingToken.IsCancellationRequested)
        {
            if (periodic.Count > 0 && periodicRound.IsCompleted && time.GetUtcNow() >= nextPeriodic)
            {
                nextPeriodic = time.GetUtcNow() + o.PeriodicInterval;
                periodicRound = RunPeriodicAsync(stoppingToken);
            }

            running.RemoveAll(t => t.IsCompleted);
            var free = o.Concurrency - running.Count;
            IReadOnlyList<Job> claimed = [];
            if (free > 0)
            {
                try
                {
                    claimed = await queue.ClaimAsync(runner.WorkerId, o.Lease, free, stoppingToken);
                    if (outage.End() is { } ended)
                    {
                        Log.ClaimsResumed(logger, ended.Failures, ended.Duration);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Reported when it starts, then at a slowing interval, never once per poll; polls slow down too.
                    if (outage.Fail())
                    {
                        if (ex is StoreUnavailableException)
                        {
                            Log.StoreUnavailable(logger, ((StoreUnavailableException)ex).Describe(), outage.Failures, outage.Backoff(o.PollInterval));
                        }
                        else
                        {
                            Log.ClaimFailed(logger, ex, outage.Failures);
                        }
                    }
                }
            }

            foreach (var job in claimed)
            {
                running.Add(RunOneAsync(job, stoppingToken));
            }

            if (claimed.Count == free && free > 0)
            {
                continue; // there may be more due work: claim again at once
            }

            // Wait for a free slot or the next poll. The delay is cancelled once the wait ends, so an idle
            // worker leaves nothing pending behind it however long it runs.
            using var poll = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var delay = Task.Delay(outage.Backoff(o.PollInterval), time, poll.Token);
            await Task.WhenAny(running.Count > 0 ? [Task.WhenAny(running), delay] : [delay]);
            await poll.CancelAsync();
            if (stoppingToken.IsCancellationRequested)
            {
                break;
            }
        }

        await Task.WhenAll(running);
        await periodicRound;
    }

    private async Task RunPeriodicAsync(CancellationToken stoppingToken)
    {
        // Off the claiming loop, so a slow sweep never holds jobs back.
        await Task.Yield();
        try
        {
            await periodic.RunAllAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }
    }

    private async Task RunOneAsync(Job job, CancellationToken stoppingToken)
    {
        try
        {
            await runner.RunAsync(job, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // released by the runner
        }
        catch (Exception ex)
        {
            Log.RunFailed(logger, ex, job.Id);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 310, Level = LogLevel.Error, Message = "Claiming jobs failed ({Failures} time(s) in a row); retrying with a slowing poll")]
        public static partial void ClaimFailed(ILogger logger, Exception exception, int failures);

        [LoggerMessage(EventId = 312, Level = LogLevel.Error, Message = "The store is unavailable: {Cause}. Jobs wait ({Failures} failed claim(s) so far; next try in {Backoff})")]
        public static partial void StoreUnavailable(ILogger logger, string cause, int failures, TimeSpan backoff);

        [LoggerMessage(EventId = 313, Level = LogLevel.Information, Message = "Claiming jobs works again after {Failures} failed claim(s) over {Duration}")]
        public static partial void ClaimsResumed(ILogger logger, int failures, TimeSpan duration);

        [LoggerMessage(EventId = 311, Level = LogLevel.Error, Message = "Recording the outcome of job {JobId} failed; its lease will expire and it will run again")]
        public static partial void RunFailed(ILogger logger, Exception exception, string jobId);
    }
}
