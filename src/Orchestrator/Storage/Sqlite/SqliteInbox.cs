using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Orchestrator.Runs;

namespace Orchestrator.Storage.Sqlite;

/// <summary>
/// The inbox with group commit. Every accept joins a queue; one writer loop takes whatever is queued, writes all
/// of it (deliveries and their jobs) in one transaction, commits once (one fsync with synchronous=FULL), then
/// answers each caller. Under load a commit carries many deliveries, so the fsync cost is shared; when idle a
/// delivery is written alone at once. Concurrent duplicates end up in order in one transaction, so only the first
/// is stored; each later one counts itself on the stored row (<c>duplicates</c>, <c>last_duplicate_at</c>) in that
/// same transaction, so the count is exactly as durable as the answer.
/// </summary>
internal sealed partial class SqliteInbox : IWebhookInbox
{
    private const int MaxBatchDeliveries = 256;
    private const long MaxBatchBytes = 32L * 1024 * 1024;

    private const string InsertDeliverySql = """
        INSERT INTO inbox (delivery_id, event, action, hook_id, received_at, payload, expires_at)
        VALUES (@id, @event, @action, @hook, @received, @payload, @expires)
        ON CONFLICT (delivery_id) DO UPDATE SET
            event = excluded.event, action = excluded.action, hook_id = excluded.hook_id,
            received_at = excluded.received_at, payload = excluded.payload, expires_at = excluded.expires_at,
            duplicates = 0, last_duplicate_at = NULL
        WHERE inbox.expires_at <= @now
        """;

    /// <summary>A redelivery of a stored (unexpired) id: the insert above changed nothing.</summary>
    private const string CountDuplicateSql = """
        UPDATE inbox SET duplicates = duplicates + 1, last_duplicate_at = @now
        WHERE delivery_id = @id AND expires_at > @now
        """;

    private readonly Channel<PendingAccept> _queue = Channel.CreateUnbounded<PendingAccept>(
        new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });

    private readonly SqliteDatabase _database;
    private readonly StorageOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Task _writer;

    public SqliteInbox(SqliteDatabase database, StorageOptions options, TimeProvider time, ILogger logger)
    {
        _database = database;
        _options = options;
        _time = time;
        _logger = logger;
        _writer = Task.Run(WriteLoopAsync);
    }

    public Task<AcceptOutcome> AcceptAsync(WebhookDelivery delivery, CancellationToken cancellationToken) =>
        EnqueueAsync(delivery, withJob: true, cancellationToken);

    public Task<AcceptOutcome> StoreWithoutJobAsync(WebhookDelivery delivery, CancellationToken cancellationToken) =>
        EnqueueAsync(delivery, withJob: false, cancellationToken);

    private async Task<AcceptOutcome> EnqueueAsync(WebhookDelivery delivery, bool withJob, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        ArgumentException.ThrowIfNullOrEmpty(delivery.DeliveryId);
        ArgumentException.ThrowIfNullOrEmpty(delivery.Event);
        ArgumentNullException.ThrowIfNull(delivery.Payload);
        cancellationToken.ThrowIfCancellationRequested();

        // The writer loop runs outside the caller's flow: the job takes the caller's trace context from here.
        var pending = new PendingAccept(delivery, withJob, Telemetry.OrchestratorTracing.CurrentTraceParent(), cancellationToken);
        ObjectDisposedException.ThrowIf(!_queue.Writer.TryWrite(pending), this);

        // A caller that gives up still may have its delivery stored: that is a duplicate on redelivery, never a loss.
        return await pending.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task<WebhookDelivery?> GetAsync(string deliveryId, CancellationToken cancellationToken)
    {
        var now = SqliteTime.ToTicks(_time.GetUtcNow());
        return _database.ReadAsync(
            connection =>
            {
                var rows = connection.Query(
                    """
                    SELECT delivery_id, event, action, hook_id, received_at, payload FROM inbox
                    WHERE delivery_id = @id AND expires_at > @now
                    """,
                    reader => new WebhookDelivery(
                        reader.GetString(0),
                        reader.GetString(1),
                        reader.GetNullableString(2),
                        reader.GetNullableInt64(3),
                        SqliteTime.FromTicks(reader.GetInt64(4)),
                        reader.GetFieldValue<byte[]>(5)),
                    ("@id", deliveryId),
                    ("@now", now));
                return rows.Count == 0 ? null : rows[0];
            },
            cancellationToken);
    }

    /// <summary>Stops taking deliveries, writes those already queued, and closes the writer's connection.</summary>
    public async Task StopAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingAccept>(MaxBatchDeliveries);
        BatchWriter? writer = null;
        try
        {
            while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                batch.Clear();
                var bytes = 0L;
                while (batch.Count < MaxBatchDeliveries && bytes < MaxBatchBytes && _queue.Reader.TryRead(out var pending))
                {
                    if (pending.CancellationToken.IsCancellationRequested)
                    {
                        pending.Completion.TrySetCanceled(pending.CancellationToken);
                        continue;
                    }

                    batch.Add(pending);
                    bytes += pending.Delivery.Payload.Length;
                }

                if (batch.Count == 0)
                {
                    continue;
                }

                try
                {
                    await _database.EnsureInitializedAsync(CancellationToken.None).ConfigureAwait(false);
                    writer ??= new BatchWriter(_database.OpenConnection());
                    var current = writer;
                    var outcomes = await _database.ExclusiveAsync(() => current.Write(batch, _time, _options), CancellationToken.None).ConfigureAwait(false);
                    for (var i = 0; i < batch.Count; i++)
                    {
                        batch[i].Completion.TrySetResult(outcomes[i]);
                    }
                }
                catch (Exception ex)
                {
                    // Nothing of the batch was committed. Start the next batch on a fresh connection.
                    writer?.Dispose();
                    writer = null;
                    Log.BatchFailed(_logger, ex, batch.Count);
                    foreach (var pending in batch)
                    {
                        pending.Completion.TrySetException(Describe(ex));
                    }
                }
            }
        }
        finally
        {
            writer?.Dispose();
        }
    }

    private Exception Describe(Exception exception) => exception switch
    {
        SqliteException sqlite when SqliteDatabase.IsUnavailable(sqlite) => SqliteDatabase.Unavailable(_database.FilePath, sqlite),
        StoreUnavailableException unavailable => new StoreUnavailableException(unavailable.Message, unavailable.InnerException),
        _ => new InvalidOperationException("Storing the delivery failed.", exception),
    };

    private sealed class PendingAccept(WebhookDelivery delivery, bool withJob, string? traceParent, CancellationToken cancellationToken)
    {
        public WebhookDelivery Delivery { get; } = delivery;

        public bool WithJob { get; } = withJob;

        public string? TraceParent { get; } = traceParent;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public TaskCompletionSource<AcceptOutcome> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>The writer's connection and its prepared statements, kept across batches.</summary>
    private sealed class BatchWriter : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _insertDelivery;
        private readonly SqliteCommand _countDuplicate;
        private readonly SqliteCommand _insertJob;

        public BatchWriter(SqliteConnection connection)
        {
            _connection = connection;
            _insertDelivery = connection.Command(
                InsertDeliverySql,
                ("@id", null),
                ("@event", null),
                ("@action", null),
                ("@hook", null),
                ("@received", null),
                ("@payload", null),
                ("@expires", null),
                ("@now", null));
            _countDuplicate = connection.Command(CountDuplicateSql, ("@id", null), ("@now", null));
            _insertJob = connection.Command(
                SqliteJobQueue.InsertSql,
                ("@id", null),
                ("@kind", null),
                ("@key", null),
                ("@payload", null),
                ("@now", null),
                ("@due", null),
                ("@trace", null));
        }

        public AcceptOutcome[] Write(List<PendingAccept> batch, TimeProvider time, StorageOptions options)
        {
            var outcomes = new AcceptOutcome[batch.Count];
            var now = time.GetUtcNow();
            using var transaction = _connection.BeginTransaction(deferred: false);
            _insertDelivery.Transaction = transaction;
            _countDuplicate.Transaction = transaction;
            _insertJob.Transaction = transaction;
            for (var i = 0; i < batch.Count; i++)
            {
                var delivery = batch[i].Delivery;
                Set(_insertDelivery, "@id", delivery.DeliveryId);
                Set(_insertDelivery, "@event", delivery.Event);
                Set(_insertDelivery, "@action", delivery.Action);
                Set(_insertDelivery, "@hook", delivery.HookId);
                Set(_insertDelivery, "@received", SqliteTime.ToTicks(delivery.ReceivedAt));
                Set(_insertDelivery, "@payload", delivery.Payload);
                Set(_insertDelivery, "@expires", SqliteTime.ToTicks(delivery.ReceivedAt + options.InboxRetention));
                Set(_insertDelivery, "@now", SqliteTime.ToTicks(now));
                if (_insertDelivery.ExecuteNonQuery() == 0)
                {
                    Set(_countDuplicate, "@id", delivery.DeliveryId);
                    Set(_countDuplicate, "@now", SqliteTime.ToTicks(now));
                    _countDuplicate.ExecuteNonQuery();
                    outcomes[i] = AcceptOutcome.Duplicate;
                    continue;
                }

                outcomes[i] = AcceptOutcome.Accepted;
                if (!batch[i].WithJob)
                {
                    continue;
                }

                var job = InboxJob.For(delivery);
                Set(_insertJob, "@id", RunId.New(time).Value);
                Set(_insertJob, "@kind", job.Kind);
                Set(_insertJob, "@key", job.IdempotencyKey);
                Set(_insertJob, "@payload", job.Payload);
                Set(_insertJob, "@now", SqliteTime.ToTicks(now));
                Set(_insertJob, "@due", SqliteTime.ToTicks(job.DueAt ?? now));
                Set(_insertJob, "@trace", batch[i].TraceParent);
                _insertJob.ExecuteNonQuery();
            }

            transaction.Commit();
            return outcomes;
        }

        public void Dispose()
        {
            _insertDelivery.Dispose();
            _countDuplicate.Dispose();
            _insertJob.Dispose();
            _connection.Dispose();
        }

        private static void Set(SqliteCommand command, string name, object? value) =>
            command.Parameters[name].Value = value ?? DBNull.Value;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 600, Level = LogLevel.Error, Message = "Writing a batch of {Count} webhook deliveries failed; none of them was stored")]
        public static partial void BatchFailed(ILogger logger, Exception exception, int count);
    }
}
