using Microsoft.Data.Sqlite;

namespace Orchestrator.Storage.Sqlite;

/// <summary>The effect ledger; records expire <see cref="StorageOptions.CompletedJobRetention"/> after their last write.</summary>
internal sealed class SqliteEffectLedger(SqliteDatabase database, StorageOptions options, TimeProvider time) : IEffectLedger
{
    private const string Columns = "key, state, result, started_at, completed_at";

    public Task<EffectClaim> BeginAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var now = time.GetUtcNow();
        return database.WriteAsync(
            connection =>
            {
                // An expired record counts as absent: it is replaced as if the purge had already removed it.
                var created = connection.Execute(
                    """
                    INSERT INTO effects (key, state, result, started_at, completed_at, expires_at)
                    VALUES (@key, 'Started', NULL, @now, NULL, @expires)
                    ON CONFLICT (key) DO UPDATE SET
                        state = 'Started', result = NULL, started_at = @now, completed_at = NULL, expires_at = @expires
                    WHERE effects.expires_at <= @now
                    """,
                    ("@key", key),
                    ("@now", SqliteTime.ToTicks(now)),
                    ("@expires", SqliteTime.ToTicks(now + options.CompletedJobRetention))) == 1;
                var record = connection.Query($"SELECT {Columns} FROM effects WHERE key = @key", Read, ("@key", key))[0];
                return new EffectClaim(record, created);
            },
            cancellationToken);
    }

    public Task CompleteAsync(string key, string result, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(result);
        var now = time.GetUtcNow();

        // An upsert, so a result is recorded even if the intent record has gone (expired, or never begun).
        return database.WriteAsync(
            connection => connection.Execute(
                """
                INSERT INTO effects (key, state, result, started_at, completed_at, expires_at)
                VALUES (@key, 'Completed', @result, @now, @now, @expires)
                ON CONFLICT (key) DO UPDATE SET
                    state = 'Completed', result = @result, completed_at = @now, expires_at = @expires
                """,
                ("@key", key),
                ("@result", result),
                ("@now", SqliteTime.ToTicks(now)),
                ("@expires", SqliteTime.ToTicks(now + options.CompletedJobRetention))),
            cancellationToken);
    }

    public async Task<EffectRecord?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var now = SqliteTime.ToTicks(time.GetUtcNow());
        var rows = await database.ReadAsync(
            connection => connection.Query($"SELECT {Columns} FROM effects WHERE key = @key AND expires_at > @now", Read, ("@key", key), ("@now", now)),
            cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    private static EffectRecord Read(SqliteDataReader reader)
    {
        var key = reader.GetString(0);
        try
        {
            return new EffectRecord(
                key,
                Enum.Parse<EffectState>(reader.GetString(1)),
                reader.GetNullableString(2),
                SqliteTime.FromTicks(reader.GetInt64(3)),
                SqliteTime.FromTicks(reader.GetNullableInt64(4)));
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidCastException or FormatException)
        {
            throw new CorruptRecordException($"Effect record {key} cannot be read: {ex.Message}", ex);
        }
    }
}
