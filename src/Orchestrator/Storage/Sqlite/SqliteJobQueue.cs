using Microsoft.Data.Sqlite;
using Orchestrator.Runs;

namespace Orchestrator.Storage.Sqlite;

/// <summary>
/// The job queue on one table. A claim is one <c>UPDATE … RETURNING</c> inside a <c>BEGIN IMMEDIATE</c>
/// transaction: the write lock is held from choosing the jobs to leasing them, so two processes on the same file
/// never lease the same job. A lease is identified by its owner and attempt number: an owner whose lease expired
/// and was taken again (even by itself) can no longer complete, fail or release that job.
/// Leases and outcomes commit without an fsync of their own (a lost one only makes a job run again, and effects
/// are in the ledger), and completions that arrive together commit together, as the inbox's deliveries do.
/// </summary>
internal sealed partial class SqliteJobQueue(
    SqliteDatabase database,
    SqlitePurge purge,
    StorageOptions options,
    TimeProvider time,
    ILogger logger) : IJobQueue
{
    /// <summary>
    /// Inserts a pending job unless its idempotency key exists; an expired completed job counts as gone. Every caller
    /// binds @id, @kind, @key, @payload, @now, @due and @trace (the enqueuer's trace context, or null).
    /// </summary>
    public const string InsertSql = """
        INSERT INTO jobs (id, kind, idempotency_key, payload, state, created_at, updated_at, due_at, attempts, trace_parent)
        VALUES (@id, @kind, @key, @payload, 'Pending', @now, @now, @due, 0, @trace)
        ON CONFLICT (idempotency_key) DO UPDATE SET
            id = excluded.id, kind = excluded.kind, payload = excluded.payload, state = 'Pending',
            created_at = excluded.created_at, updated_at = excluded.updated_at, due_at = excluded.due_at,
            attempts = 0, lease_owner = NULL, lease_expires_at = NULL, last_error = NULL, expires_at = NULL,
            trace_parent = excluded.trace_parent
        WHERE jobs.expires_at IS NOT NULL AND jobs.expires_at <= excluded.created_at
        """;

    private const string Columns = "rowid, id, kind, idempotency_key, payload, state, created_at, due_at, attempts, lease_owner, lease_expires_at, last_error, trace_parent";

    private const string LeaseHeld = "id = @id AND state = 'Leased' AND lease_owner = @owner AND attempts = @attempts";

    private const string CompleteSql = $"""
        UPDATE jobs SET state = 'Completed', lease_owner = NULL, lease_expires_at = NULL, updated_at = @now, expires_at = @expires
        WHERE {LeaseHeld}
        """;

    private const int MaxCompletionsPerCommit = 256;

    private readonly System.Collections.Concurrent.ConcurrentQueue<PendingCompletion> _completions = new();
    private int _completing;

    public Task<EnqueueResult> EnqueueAsync(JobRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.Kind);
        ArgumentException.ThrowIfNullOrEmpty(request.IdempotencyKey);
        ArgumentNullException.ThrowIfNull(request.Payload);
        var now = time.GetUtcNow();
        var id = RunId.New(time).Value;
        var trace = Telemetry.OrchestratorTracing.CurrentTraceParent();
        return database.WriteAsync(
            connection =>
            {
                var created = connection.Execute(
                    InsertSql,
                    ("@id", id),
                    ("@kind", request.Kind),
                    ("@key", request.IdempotencyKey),
                    ("@payload", request.Payload),
                    ("@now", SqliteTime.ToTicks(now)),
                    ("@due", SqliteTime.ToTicks(request.DueAt ?? now)),
                    ("@trace", trace)) == 1;
                if (created)
                {
                    return new EnqueueResult(id, Created: true);
                }

                var existing = (string)connection.Scalar("SELECT id FROM jobs WHERE idempotency_key = @key", ("@key", request.IdempotencyKey))!;
                return new EnqueueResult(existing, Created: false);
            },
            cancellationToken);
    }

    /// <remarks>
    /// The planner, left alone, took <c>jobs_state</c> and sorted every pending job for each claim (a temp B-tree),
    /// so a backlog made each claim slower; <c>jobs_claimable</c> is already in due order.
    /// </remarks>
    public async Task<IReadOnlyList<Job>> ClaimAsync(string owner, TimeSpan lease, int max, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        if (max <= 0)
        {
            return [];
        }

        var now = time.GetUtcNow();
        var claimed = await database.WriteAsync(
            connection =>
            {
                var rows = connection.Query(
                    $"""
                    UPDATE jobs SET state = 'Leased', lease_owner = @owner, lease_expires_at = @expires,
                        attempts = attempts + 1, updated_at = @now
                    WHERE rowid IN (
                        SELECT rowid FROM jobs INDEXED BY jobs_claimable
                        WHERE state IN ('Pending', 'Leased') AND due_at <= @now
                            AND (state = 'Pending' OR lease_expires_at <= @now)
                        ORDER BY due_at, rowid
                        LIMIT @max)
                    RETURNING {Columns}
                    """,
                    RawJob.Read,
                    ("@owner", owner),
                    ("@expires", SqliteTime.ToTicks(now + lease)),
                    ("@now", SqliteTime.ToTicks(now)),
                    ("@max", max));
                return Materialize(connection, rows, now);
            },
            cancellationToken,
            durable: false).ConfigureAwait(false);

        // Not cancellable: the jobs are leased now, and a cancelled purge must not lose them for the caller.
        await purge.PurgeIfDueAsync(CancellationToken.None).ConfigureAwait(false);
        return claimed;
    }

    public Task<Job?> ClaimByIdAsync(string jobId, string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        var now = time.GetUtcNow();
        return database.WriteAsync(
            connection =>
            {
                var rows = connection.Query(
                    $"""
                    UPDATE jobs SET state = 'Leased', lease_owner = @owner, lease_expires_at = @expires,
                        attempts = attempts + 1, updated_at = @now
                    WHERE id = @id AND due_at <= @now
                        AND (state = 'Pending' OR (state = 'Leased' AND lease_expires_at <= @now))
                    RETURNING {Columns}
                    """,
                    RawJob.Read,
                    ("@id", jobId),
                    ("@owner", owner),
                    ("@expires", SqliteTime.ToTicks(now + lease)),
                    ("@now", SqliteTime.ToTicks(now)));
                var jobs = Materialize(connection, rows, now);
                return jobs.Count == 0 ? null : jobs[0];
            },
            cancellationToken,
            durable: false);
    }

    public Task<bool> CompleteAsync(Job job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        cancellationToken.ThrowIfCancellationRequested();
        var pending = new PendingCompletion(job);
        _completions.Enqueue(pending);
        if (Interlocked.CompareExchange(ref _completing, 1, 0) == 0)
        {
            _ = Task.Run(CommitCompletionsAsync, CancellationToken.None);
        }

        return pending.Result.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Commits every queued completion, a group per transaction, until none is left.</summary>
    private async Task CommitCompletionsAsync()
    {
        var batch = new List<PendingCompletion>(MaxCompletionsPerCommit);
        do
        {
            while (_completions.TryDequeue(out var pending))
            {
                batch.Add(pending);
                if (batch.Count == MaxCompletionsPerCommit)
                {
                    await CommitAsync(batch).ConfigureAwait(false);
                }
            }

            await CommitAsync(batch).ConfigureAwait(false);
            Volatile.Write(ref _completing, 0);

            // A completion queued after the last dequeue found the flag still set: take it on here.
        }
        while (!_completions.IsEmpty && Interlocked.CompareExchange(ref _completing, 1, 0) == 0);
    }

    private async Task CommitAsync(List<PendingCompletion> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            var now = time.GetUtcNow();
            var held = await database.WriteAsync(
                connection =>
                {
                    using var command = connection.Command(
                        CompleteSql,
                        ("@now", SqliteTime.ToTicks(now)),
                        ("@expires", SqliteTime.ToTicks(now + options.CompletedJobRetention)),
                        ("@id", null),
                        ("@owner", null),
                        ("@attempts", null));
                    var results = new bool[batch.Count];
                    for (var i = 0; i < batch.Count; i++)
                    {
                        command.Parameters["@id"].Value = batch[i].Job.Id;
                        command.Parameters["@owner"].Value = (object?)batch[i].Job.LeaseOwner ?? DBNull.Value;
                        command.Parameters["@attempts"].Value = batch[i].Job.Attempts;
                        results[i] = command.ExecuteNonQuery() == 1;
                    }

                    return results;
                },
                CancellationToken.None,
                durable: false).ConfigureAwait(false);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Result.TrySetResult(held[i]);
            }
        }
        catch (Exception ex)
        {
            foreach (var pending in batch)
            {
                pending.Result.TrySetException(ex);
            }
        }

        batch.Clear();
    }

    public Task<bool> FailAsync(Job job, string error, DateTimeOffset? retryAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var now = SqliteTime.ToTicks(time.GetUtcNow());
        return retryAt is { } due
            ? ChangeHeldAsync(
                job,
                "state = 'Pending', due_at = @due, lease_owner = NULL, lease_expires_at = NULL, last_error = @error, updated_at = @now",
                cancellationToken,
                ("@due", SqliteTime.ToTicks(due)),
                ("@error", error),
                ("@now", now))
            : ChangeHeldAsync(
                job,
                "state = 'DeadLettered', lease_owner = NULL, lease_expires_at = NULL, last_error = @error, updated_at = @now",
                cancellationToken,
                ("@error", error),
                ("@now", now));
    }

    public Task<bool> ReleaseAsync(Job job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);

        // The claim counted an attempt; giving the lease back undoes that count.
        return ChangeHeldAsync(
            job,
            "state = 'Pending', attempts = attempts - 1, lease_owner = NULL, lease_expires_at = NULL, updated_at = @now",
            cancellationToken,
            ("@now", SqliteTime.ToTicks(time.GetUtcNow())));
    }

    public async Task<Job?> GetAsync(string jobId, CancellationToken cancellationToken)
    {
        var now = SqliteTime.ToTicks(time.GetUtcNow());
        var rows = await database.ReadAsync(
            connection => connection.Query(
                $"SELECT {Columns} FROM jobs WHERE id = @id AND (expires_at IS NULL OR expires_at > @now)",
                RawJob.Read,
                ("@id", jobId),
                ("@now", now)),
            cancellationToken).ConfigureAwait(false);
        if (rows.Count == 0)
        {
            return null;
        }

        try
        {
            return rows[0].ToJob();
        }
        catch (Exception ex) when (RawJob.IsUnreadable(ex))
        {
            throw new CorruptRecordException($"Job {jobId} cannot be read: {ex.Message}", ex);
        }
    }

    /// <summary>Newest dead letter first. Rows that cannot be read are logged and left out.</summary>
    public async Task<IReadOnlyList<Job>> ListDeadLetteredAsync(int limit, CancellationToken cancellationToken)
    {
        var rows = await database.ReadAsync(
            connection => connection.Query(
                $"SELECT {Columns} FROM jobs WHERE state = 'DeadLettered' ORDER BY updated_at DESC, rowid DESC LIMIT @limit",
                RawJob.Read,
                ("@limit", Math.Max(0, limit))),
            cancellationToken).ConfigureAwait(false);
        var jobs = new List<Job>(rows.Count);
        foreach (var row in rows)
        {
            try
            {
                jobs.Add(row.ToJob());
            }
            catch (Exception ex) when (RawJob.IsUnreadable(ex))
            {
                Log.UnreadableDeadLetter(logger, ex, row.Id);
            }
        }

        return jobs;
    }

    public Task<JobQueueStats> GetStatsAsync(CancellationToken cancellationToken) =>
        database.ReadAsync(
            connection =>
            {
                long pending = 0, leased = 0, dead = 0;
                using var command = connection.Command(
                    "SELECT state, count(*) FROM jobs WHERE state IN ('Pending', 'Leased', 'DeadLettered') GROUP BY state");
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    var count = reader.GetInt64(1);
                    switch (reader.GetString(0))
                    {
                        case "Pending":
                            pending = count;
                            break;
                        case "Leased":
                            leased = count;
                            break;
                        default:
                            dead = count;
                            break;
                    }
                }

                return new JobQueueStats(pending, leased, dead);
            },
            cancellationToken);

    private Task<bool> ChangeHeldAsync(Job job, string set, CancellationToken cancellationToken, params (string Name, object? Value)[] values) =>
        database.WriteAsync(
            connection => connection.Execute(
                $"UPDATE jobs SET {set} WHERE {LeaseHeld}",
                [.. values, ("@id", job.Id), ("@owner", job.LeaseOwner), ("@attempts", job.Attempts)]) == 1,
            cancellationToken,
            durable: false);

    /// <summary>
    /// Turns claimed rows into jobs, oldest due first. A row that cannot be read is dead-lettered in the same
    /// transaction with the reason, so it never blocks the queue or crashes the worker.
    /// </summary>
    private List<Job> Materialize(SqliteConnection connection, List<RawJob> rows, DateTimeOffset now)
    {
        var jobs = new List<Job>(rows.Count);
        foreach (var row in rows.OrderBy(r => r.DueAt is long due ? due : long.MinValue).ThenBy(r => r.RowId))
        {
            try
            {
                jobs.Add(row.ToJob());
            }
            catch (Exception ex) when (RawJob.IsUnreadable(ex))
            {
                var reason = $"Unreadable job row: {ex.GetType().Name}: {ex.Message}";
                connection.Execute(
                    """
                    UPDATE jobs SET state = 'DeadLettered', lease_owner = NULL, lease_expires_at = NULL,
                        last_error = @error, updated_at = @now
                    WHERE rowid = @rowid
                    """,
                    ("@error", reason.Length <= 1000 ? reason : reason[..1000]),
                    ("@now", SqliteTime.ToTicks(now)),
                    ("@rowid", row.RowId));
                Log.UnreadableJobDeadLettered(logger, ex, row.Id);
            }
        }

        return jobs;
    }

    private sealed class PendingCompletion(Job job)
    {
        public Job Job { get; } = job;

        public TaskCompletionSource<bool> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>A job row as stored, read without interpreting anything, so reading itself cannot fail.</summary>
    private sealed record RawJob(long RowId, string? Id, object Kind, object Key, object Payload, object State, object CreatedAt, long? DueAt, object Attempts, object LeaseOwner, object LeaseExpiresAt, object LastError, object TraceParent)
    {
        public static RawJob Read(SqliteDataReader reader) => new(
            reader.GetInt64(0),
            reader.GetValue(1) as string,
            reader.GetValue(2),
            reader.GetValue(3),
            reader.GetValue(4),
            reader.GetValue(5),
            reader.GetValue(6),
            reader.GetValue(7) as long?,
            reader.GetValue(8),
            reader.GetValue(9),
            reader.GetValue(10),
            reader.GetValue(11),
            reader.GetValue(12));

        public static bool IsUnreadable(Exception exception) =>
            exception is InvalidCastException or ArgumentException or FormatException or OverflowException;

        public Job ToJob() => new(
            Id ?? throw new InvalidCastException("The job id is missing."),
            (string)Kind,
            (string)Key,
            (string)Payload,
            ParseState((string)State),
            SqliteTime.FromTicks((long)CreatedAt),
            SqliteTime.FromTicks(DueAt ?? throw new InvalidCastException("The due time is missing.")),
            checked((int)(long)Attempts),
            LeaseOwner as string,
            SqliteTime.FromTicks(LeaseExpiresAt as long?),
            LastError as string,
            TraceParent as string);
    }

    private static JobState ParseState(string value) =>
        Enum.TryParse<JobState>(value, ignoreCase: false, out var state) && Enum.IsDefined(state) && !char.IsAsciiDigit(value[0])
            ? state
            : throw new FormatException($"'{value}' is not a job state.");

    private static partial class Log
    {
        [LoggerMessage(EventId = 610, Level = LogLevel.Error, Message = "Job {JobId} could not be read and was dead-lettered instead of claimed")]
        public static partial void UnreadableJobDeadLettered(ILogger logger, Exception exception, string? jobId);

        [LoggerMessage(EventId = 611, Level = LogLevel.Error, Message = "Dead-lettered job {JobId} could not be read and was left out of the list")]
        public static partial void UnreadableDeadLetter(ILogger logger, Exception exception, string? jobId);
    }
}
