namespace Orchestrator.Storage.Sqlite;

/// <summary>
/// Deletes expired rows (deliveries, completed jobs, effect records, audit entries), a bounded number per table
/// at a time, at most once a minute. Reads already treat expired rows as gone, so purging only reclaims space and
/// can lag without changing any answer. It runs after claims, which the worker makes every poll interval.
/// </summary>
internal sealed partial class SqlitePurge(SqliteDatabase database, TimeProvider time, ILogger logger)
{
    private const int RowsPerTable = 500;
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private long _nextTicks;

    public async Task PurgeIfDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcTicks;
        var next = Interlocked.Read(ref _nextTicks);
        if (now < next || Interlocked.CompareExchange(ref _nextTicks, now + Interval.Ticks, next) != next)
        {
            return;
        }

        try
        {
            var deleted = 0;
            var backlog = false;
            foreach (var table in SqliteSchema.ExpiringTables)
            {
                // One short write per table, so a purge never holds the write lock for long.
                var count = await database.WriteAsync(
                    connection => connection.Execute(
                        $"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} WHERE expires_at <= @now LIMIT @limit)",
                        ("@now", now),
                        ("@limit", RowsPerTable)),
                    cancellationToken).ConfigureAwait(false);
                deleted += count;
                backlog |= count == RowsPerTable;
            }

            if (backlog)
            {
                Interlocked.Exchange(ref _nextTicks, now); // more to delete: continue at the next claim
            }

            if (deleted > 0)
            {
                Log.Purged(logger, deleted);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Purging is housekeeping: a failure is retried at the next interval and never fails the claim.
            Log.PurgeFailed(logger, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 620, Level = LogLevel.Debug, Message = "Purged {Count} expired rows")]
        public static partial void Purged(ILogger logger, int count);

        [LoggerMessage(EventId = 621, Level = LogLevel.Warning, Message = "Purging expired rows failed; retrying at the next interval")]
        public static partial void PurgeFailed(ILogger logger, Exception exception);
    }
}
