using Microsoft.Extensions.Options;
using Orchestrator.Storage;

namespace Orchestrator.Jobs;

/// <param name="FailedSequenceNumbers">The records Lambda must deliver again ("batchItemFailures").</param>
public sealed record StreamBatchResult(
    int Records,
    int Completed,
    int Failed,
    int NotClaimable,
    int Deferred,
    int Ignored,
    IReadOnlyList<string> FailedSequenceNumbers);

/// <summary>
/// Runs the jobs that a DynamoDB Streams batch announces: for each pending job due now, ClaimByIdAsync then
/// <see cref="JobRunner.RunAsync"/>. A record is reported as failed (so Lambda retries from it) only when its
/// processing threw: the store could not be reached or the record could not be read. A job whose handler failed
/// and that the runner re-queued or dead-lettered is handled, not failed: the queue owns its retries. Jobs due later
/// and jobs another worker already took are left alone; the scheduled drain picks up anything the stream misses.
/// </summary>
public sealed partial class StreamBatchProcessor(
    IJobQueue queue,
    JobRunner runner,
    IOptions<JobOptions> options,
    TimeProvider time,
    ILogger<StreamBatchProcessor> logger)
{
    public async Task<StreamBatchResult> ProcessAsync(IReadOnlyList<DynamoDbStreamRecord> records, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var now = time.GetUtcNow();
        var failures = new List<string>();
        var ignored = 0;

        // One job can appear several times in a batch (INSERT, then MODIFY): its latest image decides.
        var byJob = new Dictionary<string, (JobStreamDecision Decision, List<string> Sequences)>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            var sequence = record.DynamoDb?.SequenceNumber ?? string.Empty;
            JobStreamDecision decision;
            try
            {
                decision = JobStreamImage.Decide(record, now);
            }
            catch (FormatException ex)
            {
                Log.Unreadable(logger, sequence, ex.Message);
                failures.Add(sequence);
                continue;
            }

            if (decision.JobId is null)
            {
                ignored++;
                continue;
            }

            if (byJob.TryGetValue(decision.JobId, out var entry))
            {
                entry.Sequences.Add(sequence);
                byJob[decision.JobId] = (decision, entry.Sequences);
            }
            else
            {
                byJob[decision.JobId] = (decision, [sequence]);
            }
        }

        int completed = 0, failed = 0, notClaimable = 0, deferred = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = o.Concurrency, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(byJob, parallel, async (pair, token) =>
        {
            var (decision, sequences) = pair.Value;
            switch (decision.Action)
            {
                case JobStreamAction.Ignore:
                    Interlocked.Increment(ref ignored);
                    return;
                case JobStreamAction.Later:
                    Interlocked.Increment(ref deferred);
                    return;
            }

            try
            {
                var job = await queue.ClaimByIdAsync(pair.Key, runner.WorkerId, o.Lease, token);
                if (job is null)
                {
                    Interlocked.Increment(ref notClaimable);
                }
                else if (await runner.RunAsync(job, token))
                {
                    Interlocked.Increment(ref completed);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                Log.RecordFailed(logger, ex, pair.Key);
                lock (failures)
                {
                    failures.AddRange(sequences);
                }
            }
        });

        var result = new StreamBatchResult(records.Count, completed, failed, notClaimable, deferred, ignored, failures);
        Log.Processed(logger, result.Records, completed, failed, notClaimable, deferred, ignored, failures.Count);
        return result;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 350, Level = LogLevel.Error, Message = "Stream record {SequenceNumber} could not be read ({Reason}); reported as a batch item failure")]
        public static partial void Unreadable(ILogger logger, string sequenceNumber, string reason);

        [LoggerMessage(EventId = 351, Level = LogLevel.Error, Message = "Job {JobId} from the stream could not be claimed or recorded; its records are reported as batch item failures")]
        public static partial void RecordFailed(ILogger logger, Exception exception, string jobId);

        [LoggerMessage(EventId = 352, Level = LogLevel.Information, Message = "Stream batch of {Records} record(s): {Completed} completed, {Failed} failed and re-queued, {NotClaimable} not claimable, {Deferred} due later, {Ignored} ignored, {Failures} batch item failure(s)")]
        public static partial void Processed(ILogger logger, int records, int completed, int failed, int notClaimable, int deferred, int ignored, int failures);
    }
}
