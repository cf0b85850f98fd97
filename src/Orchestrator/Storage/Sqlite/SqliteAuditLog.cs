using Microsoft.Data.Sqlite;

namespace Orchestrator.Storage.Sqlite;

/// <summary>
/// The audit log: insert-only (the purge removes entries older than <see cref="StorageOptions.CompletedJobRetention"/>).
/// Entries with equal times keep the order they were appended in.
/// </summary>
internal sealed class SqliteAuditLog(SqliteDatabase database, StorageOptions options, TimeProvider time) : IAuditLog
{
    private const string Columns = "seq, at, actor, actor_name, action, run_id, outcome, detail";

    public Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return database.WriteAsync(
            connection => connection.Execute(
                """
                INSERT INTO audit (at, actor, actor_name, action, run_id, outcome, detail, expires_at)
                VALUES (@at, @actor, @actorName, @action, @runId, @outcome, @detail, @expires)
                """,
                ("@at", SqliteTime.ToTicks(entry.At)),
                ("@actor", entry.Actor),
                ("@actorName", entry.ActorName),
                ("@action", entry.Action),
                ("@runId", entry.RunId),
                ("@outcome", entry.Outcome.ToString()),
                ("@detail", entry.Detail),
                ("@expires", SqliteTime.ToTicks(entry.At + options.CompletedJobRetention))),
            cancellationToken);
    }

    public Task<IReadOnlyList<AuditEntry>> ListByRunAsync(string runId, CancellationToken cancellationToken)
    {
        var now = SqliteTime.ToTicks(time.GetUtcNow());
        return ListAsync(
            $"SELECT {Columns} FROM audit WHERE run_id = @runId AND expires_at > @now ORDER BY at, seq",
            cancellationToken,
            ("@runId", runId),
            ("@now", now));
    }

    public Task<IReadOnlyList<AuditEntry>> ListAsync(DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
    {
        var now = SqliteTime.ToTicks(time.GetUtcNow());
        return ListAsync(
            $"SELECT {Columns} FROM audit WHERE at >= @from AND at < @to AND expires_at > @now ORDER BY at, seq LIMIT @limit",
            cancellationToken,
            ("@from", SqliteTime.ToTicks(from)),
            ("@to", SqliteTime.ToTicks(to)),
            ("@now", now),
            ("@limit", Math.Max(0, limit)));
    }

    private async Task<IReadOnlyList<AuditEntry>> ListAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        await database.ReadAsync(connection => connection.Query(sql, Read, parameters), cancellationToken).ConfigureAwait(false);

    private static AuditEntry Read(SqliteDataReader reader)
    {
        try
        {
            return new AuditEntry(
                SqliteTime.FromTicks(reader.GetInt64(1)),
                reader.GetString(2),
                reader.GetNullableString(3),
                reader.GetString(4),
                reader.GetNullableString(5),
                Enum.Parse<AuditOutcome>(reader.GetString(6)),
                reader.GetNullableString(7));
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidCastException or FormatException)
        {
            throw new CorruptRecordException($"Audit entry {reader.GetInt64(0)} cannot be read: {ex.Message}", ex);
        }
    }
}
