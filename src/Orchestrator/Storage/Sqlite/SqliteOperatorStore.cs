using Microsoft.Data.Sqlite;

namespace Orchestrator.Storage.Sqlite;

/// <summary>The operator's reads (and dead-letter retry) over the same file as the other SQLite contracts.</summary>
internal sealed class SqliteOperatorStore(SqliteDatabase database, TimeProvider time) : IOperatorStore
{
    private const string JobColumns = "id, kind, idempotency_key, payload, state, created_at, due_at, attempts, lease_owner, lease_expires_at, last_error, trace_parent";

    private const string DeliveryColumns = "delivery_id, event, action, hook_id, received_at, length(payload), duplicates, last_duplicate_at";

    public Task<IReadOnlyList<DeliverySummary>> ListDeliveriesAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<DeliverySummary>>(
            connection => connection.Query(
                $"""
                SELECT {DeliveryColumns} FROM inbox
                WHERE received_at >= @since AND expires_at > @now
                ORDER BY received_at DESC, delivery_id DESC LIMIT @limit
                """,
                ReadDelivery,
                ("@since", SqliteTime.ToTicks(since)),
                ("@now", SqliteTime.ToTicks(time.GetUtcNow())),
                ("@limit", Math.Max(0, limit))),
            cancellationToken);

    public Task<DeliverySummary?> GetDeliveryAsync(string deliveryId, CancellationToken cancellationToken) =>
        database.ReadAsync(
            connection => connection.Query(
                $"SELECT {DeliveryColumns} FROM inbox WHERE delivery_id = @id AND expires_at > @now",
                ReadDelivery,
                ("@id", deliveryId),
                ("@now", SqliteTime.ToTicks(time.GetUtcNow()))).FirstOrDefault(),
            cancellationToken);

    public Task<IReadOnlyList<Job>> ListJobsAsync(JobState state, int limit, CancellationToken cancellationToken)
    {
        var order = state switch
        {
            JobState.Pending => "due_at, rowid",
            JobState.Leased => "lease_expires_at, rowid",
            JobState.DeadLettered => "updated_at DESC, rowid DESC",
            _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Only waiting jobs (pending, leased, dead-lettered) are listed."),
        };
        return database.ReadAsync<IReadOnlyList<Job>>(
            connection => [.. connection.Query(
                $"SELECT {JobColumns} FROM jobs WHERE state = @state ORDER BY {order} LIMIT @limit",
                TryRead,
                ("@state", state.ToString()),
                ("@limit", Math.Max(0, limit))).OfType<Job>()],
            cancellationToken);
    }

    public Task<Job?> FindJobByKeyAsync(string idempotencyKey, CancellationToken cancellationToken) =>
        database.ReadAsync(
            connection => connection.Query(
                $"SELECT {JobColumns} FROM jobs WHERE idempotency_key = @key AND (expires_at IS NULL OR expires_at > @now)",
                TryRead,
                ("@key", idempotencyKey),
                ("@now", SqliteTime.ToTicks(time.GetUtcNow()))).FirstOrDefault(),
            cancellationToken);

    public Task<bool> RetryDeadLetterAsync(string jobId, CancellationToken cancellationToken)
    {
        var now = SqliteTime.ToTicks(time.GetUtcNow());
        return database.WriteAsync(
            connection => connection.Execute(
                """
                UPDATE jobs SET state = 'Pending', due_at = @now, updated_at = @now, attempts = 0, lease_owner = NULL, lease_expires_at = NULL
                WHERE id = @id AND state = 'DeadLettered'
                """,
                ("@id", jobId),
                ("@now", now)) == 1,
            cancellationToken);
    }

    private static DeliverySummary ReadDelivery(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetNullableString(2),
        reader.GetNullableInt64(3),
        SqliteTime.FromTicks(reader.GetInt64(4)),
        reader.GetInt64(5),
        checked((int)reader.GetInt64(6)),
        SqliteTime.FromTicks(reader.GetNullableInt64(7)));

    /// <summary>A row that cannot be read is left out of a listing; <see cref="IJobQueue.GetAsync"/> on its id reports the damage.</summary>
    private static Job? TryRead(SqliteDataReader reader)
    {
        try
        {
            return new Job(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                Enum.Parse<JobState>(reader.GetString(4)),
                SqliteTime.FromTicks(reader.GetInt64(5)),
                SqliteTime.FromTicks(reader.GetInt64(6)),
                checked((int)reader.GetInt64(7)),
                reader.GetNullableString(8),
                SqliteTime.FromTicks(reader.GetNullableInt64(9)),
                reader.GetNullableString(10),
                reader.GetNullableString(11));
        }
        catch (Exception ex) when (ex is InvalidCastException or ArgumentException or FormatException or OverflowException or InvalidOperationException)
        {
            return null;
        }
    }
}
