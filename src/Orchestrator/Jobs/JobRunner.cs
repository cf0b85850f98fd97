using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Orchestrator.Storage;

namespace Orchestrator.Jobs;

/// <summary>
/// Runs one claimed job with its handler and records the outcome: completed, retried later with exponential
/// backoff and full jitter, or dead-lettered after the last attempt or a permanent failure. Used by the
/// hosted worker and by event-driven triggers alike.
/// </summary>
public sealed partial class JobRunner(
    IJobQueue queue,
    IEnumerable<IJobHandler> handlers,
    IOptions<JobOptions> options,
    TimeProvider time,
    ILogger<JobRunner> logger,
    Telemetry.OrchestratorMetrics? metrics = null)
{
    /// <summary>The longest wait a failure may ask for: GitHub's primary rate limit resets within the hour.</summary>
    public static readonly TimeSpan MaxHintedDelay = TimeSpan.FromHours(1);

    private readonly Dictionary<string, IJobHandler> _handlers = handlers.ToDictionary(h => h.Kind, StringComparer.Ordinal);

    public string WorkerId { get; } = options.Value.WorkerId ?? DefaultWorkerId();

    /// <returns>True when the job completed.</returns>
    public async Task<bool> RunAsync(Job job, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object?> { ["JobId"] = job.Id, ["JobKind"] = job.Kind });

        // One span per run of a job: its GitHub and Discord calls are its children, tagged so a trace search by id finds
        // them. It continues the trace of the request (or job) that enqueued the job; a job enqueued outside any span
        // (a periodic task's) starts a trace of its own, or is a child of the invocation running it (a Lambda event's
        // request). A job that continues its enqueuer's trace links to that invocation instead.
        var invocation = job.TraceParent is null ? null : Activity.Current;
        using var activity = Telemetry.OrchestratorTracing.Source.StartActivity(
            "job " + job.Kind,
            ActivityKind.Internal,
            job.TraceParent,
            links: invocation is null ? null : [new ActivityLink(invocation.Context)]);
        activity?.SetTag("job.id", job.Id);
        activity?.SetTag("job.kind", job.Kind);
        activity?.SetTag("job.attempt", job.Attempts);
        if (job.Kind == InboxJob.Kind)
        {
            activity?.SetTag("delivery.id", job.Payload);
        }

        if (!_handlers.TryGetValue(job.Kind, out var handler))
        {
            Log.DeadLettered(logger, job.Id, job.Kind, "no handler for this kind");
            await queue.FailAsync(job, $"No handler for job kind '{job.Kind}'.", retryAt: null, cancellationToken);
            return false;
        }

        var started = time.GetTimestamp();
        try
        {
            await handler.HandleAsync(job, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: give the lease back so another worker takes the job without counting an attempt.
            await queue.ReleaseAsync(job, CancellationToken.None);
            throw;
        }
        catch (Exception ex)
        {
            var attempts = job.Attempts;
            var permanent = ex is PermanentJobFailureException or IPermanentFailure { IsPermanent: true };
            var reason = Describe(ex);
            if (permanent || attempts >= options.Value.MaxAttempts)
            {
                Log.DeadLettered(logger, job.Id, job.Kind, reason);
                await queue.FailAsync(job, reason, retryAt: null, cancellationToken);
                metrics?.JobFinished(job.Kind, "dead_lettered", time.GetElapsedTime(started).TotalMilliseconds);
            }
            else
            {
                var retryAt = time.GetUtcNow() + RetryDelay(ex, attempts);
                Log.Retrying(logger, ex, job.Id, job.Kind, attempts, retryAt);
                await queue.FailAsync(job, reason, retryAt, cancellationToken);
                metrics?.JobFinished(job.Kind, "retried", time.GetElapsedTime(started).TotalMilliseconds);
            }

            return false;
        }

        metrics?.JobFinished(job.Kind, "completed", time.GetElapsedTime(started).TotalMilliseconds);
        if (!await queue.CompleteAsync(job, cancellationToken))
        {
            // The lease expired while the handler ran and another worker took the job; its effects are
            // guarded by the effect ledger, so running twice is safe, and that worker records the outcome.
            Log.LeaseLost(logger, job.Id);
        }

        return true;
    }

    /// <summary>Exponential backoff with full jitter: a random delay in [base, min(max, base * 2^(attempt-1))].</summary>
    public TimeSpan Backoff(int attempt)
    {
        var o = options.Value;
        var ceiling = Math.Min(o.MaxBackoff.TotalMilliseconds, o.BaseBackoff.TotalMilliseconds * Math.Pow(2, Math.Max(0, attempt - 1)));
        var floor = Math.Min(o.BaseBackoff.TotalMilliseconds, ceiling);
        var jitter = RandomNumberGenerator.GetInt32(0, 1_000_001) / 1_000_000d;
        return TimeSpan.FromMilliseconds(floor + ((ceiling - floor) * jitter));
    }

    /// <summary>
    /// The backoff, or longer when the failure (or one it wraps) says when the call may succeed again: a rate
    /// limit's reset. Retrying sooner would only be refused and use up the job's attempts.
    /// </summary>
    public TimeSpan RetryDelay(Exception exception, int attempt)
    {
        var delay = Backoff(attempt);
        var now = time.GetUtcNow();
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is IRetryHint hint && hint.RetryDelay(now) is { } wait && wait > delay)
            {
                delay = wait < MaxHintedDelay ? wait : MaxHintedDelay;
            }
        }

        return delay;
    }

    // At most 48 characters; a short host name makes the whole shorter than that.
    private static string DefaultWorkerId()
    {
        var id = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
        return id.Length <= 48 ? id : id[..48];
    }

    // Exception messages can carry request details; the stored error names the type and a bounded message.
    private static string Describe(Exception ex)
    {
        var text = $"{ex.GetType().Name}: {ex.Message}";
        return text.Length <= 1000 ? text : text[..1000];
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "Job {JobId} ({Kind}) failed on attempt {Attempt}; retrying at {RetryAt}")]
        public static partial void Retrying(ILogger logger, Exception exception, string jobId, string kind, int attempt, DateTimeOffset retryAt);

        [LoggerMessage(EventId = 301, Level = LogLevel.Error, Message = "Job {JobId} ({Kind}) dead-lettered: {Reason}")]
        public static partial void DeadLettered(ILogger logger, string jobId, string kind, string reason);

        [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Job {JobId} finished after its lease was lost")]
        public static partial void LeaseLost(ILogger logger, string jobId);
    }
}
