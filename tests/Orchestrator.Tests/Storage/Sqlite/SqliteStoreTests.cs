using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Runs;
using Orchestrator.Storage;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Tests.Storage.Sqlite;

/// <summary>What only the SQLite store promises: the file, its pragmas and schema, several processes on one file, failures.</summary>
public sealed class SqliteStoreTests : IAsyncDisposable
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    private readonly SqliteTestDatabase _database = SqliteTestDatabase.Create();
    private readonly List<SqliteStore> _stores = [];

    private FakeTimeProvider Clock { get; } = new(StoreContract.Start);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_stores_on_one_file_never_claim_the_same_job()
    {
        // Arrange: two stores on one file, as two processes would have.
        var first = await OpenAsync();
        var second = await OpenAsync();
        const int count = 200;
        for (var i = 0; i < count; i++)
        {
            await (i % 2 == 0 ? first : second).Jobs.EnqueueAsync(new JobRequest("test.kind", $"shared-{i}", "{}"), Ct);
        }

        var claims = new ConcurrentBag<string>();

        async Task ClaimUntilEmptyAsync(IStoreBackend store, string owner)
        {
            // Bounded: a store that hands held jobs out again must fail this test, not loop forever.
            for (var round = 0; round < count; round++)
            {
                var jobs = await store.Jobs.ClaimAsync(owner, Lease, 5, Ct);
                if (jobs.Count == 0)
                {
                    return;
                }

                foreach (var job in jobs)
                {
                    claims.Add(job.Id);
                }
            }
        }

        // Act
        await Task.WhenAll(
            Task.Run(() => ClaimUntilEmptyAsync(first, "process-1"), Ct),
            Task.Run(() => ClaimUntilEmptyAsync(second, "process-2"), Ct));

        // Assert
        Assert.Equal(count, claims.Count);
        Assert.Equal(count, claims.Distinct().Count());
        Assert.Equal(new JobQueueStats(0, count, 0), await first.Jobs.GetStatsAsync(Ct));
    }

    [Fact]
    public async Task Two_stores_on_one_file_accept_each_delivery_once()
    {
        // Arrange
        var first = await OpenAsync();
        var second = await OpenAsync();
        var deliveries = Enumerable.Range(0, 50).Select(i => Delivery($"shared-{i}")).ToList();

        // Act: every delivery reaches both processes at the same time.
        var outcomes = await Task.WhenAll(deliveries.SelectMany(d => new[]
        {
            Task.Run(() => first.Inbox.AcceptAsync(d, Ct), Ct),
            Task.Run(() => second.Inbox.AcceptAsync(d, Ct), Ct),
        }));

        // Assert
        Assert.Equal(50, outcomes.Count(o => o == AcceptOutcome.Accepted));
        Assert.Equal(new JobQueueStats(50, 0, 0), await first.Jobs.GetStatsAsync(Ct));
    }

    [Fact]
    public async Task The_store_is_unavailable_when_its_folder_cannot_be_created()
    {
        // Arrange: the folder's parent is a regular file, which no user (root included) can create a folder in.
        var notAFolder = Path.Combine(_database.Directory, "not-a-folder");
        await File.WriteAllTextAsync(notAFolder, "a file", Ct);
        var store = Open(o => o.Sqlite.Path = Path.Combine(notAFolder, "data", "orchestrator.db"));

        // Act
        var initialize = () => store.Admin.InitializeAsync(Ct);
        var accept = () => store.Inbox.AcceptAsync(Delivery("d-1"), Ct);
        var enqueue = () => store.Jobs.EnqueueAsync(new JobRequest("test.kind", "k", "{}"), Ct);
        var reachable = await store.Admin.IsReachableAsync(Ct);

        // Assert
        await Assert.ThrowsAsync<StoreUnavailableException>(initialize);
        await Assert.ThrowsAsync<StoreUnavailableException>(accept);
        await Assert.ThrowsAsync<StoreUnavailableException>(enqueue);
        Assert.False(reachable);
    }

    [Fact]
    public async Task The_store_is_unavailable_when_its_database_path_is_a_folder()
    {
        // Arrange
        var folder = Directory.CreateDirectory(Path.Combine(_database.Directory, "a-folder")).FullName;
        var store = Open(o => o.Sqlite.Path = folder);

        // Act
        var accept = () => store.Inbox.AcceptAsync(Delivery("d-1"), Ct);
        var reachable = await store.Admin.IsReachableAsync(Ct);

        // Assert
        await Assert.ThrowsAsync<StoreUnavailableException>(accept);
        Assert.False(reachable);
    }

    [Fact]
    public async Task Accepting_is_unavailable_while_the_database_stays_locked_beyond_the_busy_timeout_and_works_after()
    {
        // Arrange: another process holds the write lock.
        var store = await OpenAsync(o => o.Sqlite.BusyTimeout = TimeSpan.FromMilliseconds(100));
        await using var other = new SqliteConnection($"Data Source={_database.FilePath};Pooling=False");
        other.Open();
        using (var begin = other.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE;";
            begin.ExecuteNonQuery();
        }

        // Act
        var whileLocked = () => store.Inbox.AcceptAsync(Delivery("d-locked"), Ct);
        await Assert.ThrowsAsync<StoreUnavailableException>(whileLocked);
        using (var rollback = other.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK;";
            rollback.ExecuteNonQuery();
        }

        var afterwards = await store.Inbox.AcceptAsync(Delivery("d-locked"), Ct);

        // Assert: nothing of the failed attempt was written, so the retry is not a duplicate.
        Assert.Equal(AcceptOutcome.Accepted, afterwards);
        Assert.NotNull(await store.Inbox.GetAsync("d-locked", Ct));
    }

    [Theory]
    [InlineData(SqliteDurability.PowerLoss, 2L)] // FULL
    [InlineData(SqliteDurability.Process, 1L)] // NORMAL
    public async Task Connections_use_WAL_and_the_synchronous_level_of_the_durability(SqliteDurability durability, long synchronous)
    {
        // Arrange
        var store = await OpenAsync(o => o.Sqlite.Durability = durability);

        // Act
        await using var connection = store.OpenConnection();

        // Assert
        Assert.Equal("wal", Scalar(connection, "PRAGMA journal_mode;"));
        Assert.Equal(synchronous, Scalar(connection, "PRAGMA synchronous;"));
        Assert.Equal(10_000L, Scalar(connection, "PRAGMA busy_timeout;"));
    }

    [Fact]
    public async Task Initializing_applies_every_migration_once_and_can_run_again()
    {
        // Arrange
        var store = await OpenAsync();

        // Act
        await store.Admin.InitializeAsync(Ct);
        await Open().Admin.InitializeAsync(Ct);

        // Assert
        await using var connection = new SqliteConnection($"Data Source={_database.FilePath};Pooling=False");
        connection.Open();
        Assert.Equal((long)SqliteSchema.Migrations.Count, Scalar(connection, "PRAGMA user_version;"));
        Assert.Equal(1L, Scalar(connection, "SELECT count(*) FROM sqlite_schema WHERE name = 'inbox';"));
    }

    [Fact]
    public async Task A_database_of_the_first_schema_is_upgraded_and_its_jobs_read_without_a_trace_context()
    {
        // Arrange: the file as the first schema left it, with a pending job.
        await using (var connection = new SqliteConnection($"Data Source={_database.FilePath};Pooling=False"))
        {
            connection.Open();
            Execute(connection, SqliteSchema.Migrations[0]);
            Execute(connection, string.Create(
                CultureInfo.InvariantCulture,
                $"""
                INSERT INTO jobs (id, kind, idempotency_key, payload, state, created_at, updated_at, due_at, attempts)
                VALUES ('01JOLDJOB', 'test.kind', 'old', '{"{}"}', 'Pending', {StoreContract.Start.UtcTicks}, {StoreContract.Start.UtcTicks}, {StoreContract.Start.UtcTicks}, 0);
                PRAGMA user_version = 1;
                """));
        }

        // Act
        var store = await OpenAsync();
        var claimed = await store.Jobs.ClaimAsync("worker", Lease, 10, Ct);

        // Assert
        var job = Assert.Single(claimed);
        Assert.Equal("01JOLDJOB", job.Id);
        Assert.Null(job.TraceParent);
    }

    [Fact]
    public async Task A_database_of_the_second_schema_is_upgraded_and_its_deliveries_count_redeliveries_from_zero()
    {
        // Arrange: the file as the second schema left it, with a stored delivery.
        await using (var connection = new SqliteConnection($"Data Source={_database.FilePath};Pooling=False"))
        {
            connection.Open();
            Execute(connection, SqliteSchema.Migrations[0]);
            Execute(connection, SqliteSchema.Migrations[1]);
            Execute(connection, string.Create(
                CultureInfo.InvariantCulture,
                $"""
                INSERT INTO inbox (delivery_id, event, action, hook_id, received_at, payload, expires_at)
                VALUES ('d-old', 'ping', NULL, NULL, {StoreContract.Start.UtcTicks}, X'7B7D', {StoreContract.Start.AddDays(1).UtcTicks});
                PRAGMA user_version = 2;
                """));
        }

        // Act
        var store = await OpenAsync();
        var before = await store.Operator.GetDeliveryAsync("d-old", Ct);
        var again = await store.Inbox.StoreWithoutJobAsync(new WebhookDelivery("d-old", "ping", null, null, StoreContract.Start, "{}"u8.ToArray()), Ct);
        var after = await store.Operator.GetDeliveryAsync("d-old", Ct);

        // Assert
        Assert.Equal((0, (DateTimeOffset?)null), (before!.Duplicates, before.LastDuplicateAt));
        Assert.Equal(AcceptOutcome.Duplicate, again);
        Assert.Equal(1, after!.Duplicates);
        Assert.Equal(Clock.GetUtcNow(), after.LastDuplicateAt);
    }

    [Fact]
    public async Task A_database_written_by_a_newer_schema_is_refused()
    {
        // Arrange
        await OpenAsync();
        await using (var connection = new SqliteConnection($"Data Source={_database.FilePath};Pooling=False"))
        {
            connection.Open();
            Execute(connection, "PRAGMA user_version = 999;");
        }

        var store = Open();

        // Act
        var initialize = () => store.Admin.InitializeAsync(Ct);

        // Assert
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(initialize);
        Assert.Contains("999", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_folder_is_created_on_first_use()
    {
        // Arrange
        var path = Path.Combine(_database.Directory, "nested", "deeper", "orchestrator.db");
        var store = Open(o => o.Sqlite.Path = path);

        // Act
        var outcome = await store.Inbox.AcceptAsync(Delivery("d-1"), Ct);

        // Assert
        Assert.Equal(AcceptOutcome.Accepted, outcome);
        Assert.True(File.Exists(path));
    }

    [Fact]
    public async Task Expiry_times_are_stored_from_the_configured_retentions()
    {
        // Arrange
        var store = await OpenAsync(o =>
        {
            o.InboxRetention = TimeSpan.FromDays(3);
            o.CompletedJobRetention = TimeSpan.FromHours(5);
        });
        await store.Inbox.AcceptAsync(Delivery("d-1"), Ct);
        Clock.Advance(TimeSpan.FromMinutes(1));
        var job = Assert.Single(await store.Jobs.ClaimAsync("worker-a", Lease, 10, Ct));
        await store.Jobs.CompleteAsync(job, Ct);
        await store.Effects.BeginAsync("effect-1", Ct);
        await store.Audit.AppendAsync(new AuditEntry(StoreContract.Start, "system", null, "plan", null, AuditOutcome.Succeeded, null), Ct);

        // Act
        await using var connection = store.OpenConnection();

        // Assert
        var now = Clock.GetUtcNow();
        Assert.Equal((StoreContract.Start + TimeSpan.FromDays(3)).UtcTicks, Scalar(connection, "SELECT expires_at FROM inbox;"));
        Assert.Equal((now + TimeSpan.FromHours(5)).UtcTicks, Scalar(connection, "SELECT expires_at FROM jobs;"));
        Assert.Equal((now + TimeSpan.FromHours(5)).UtcTicks, Scalar(connection, "SELECT expires_at FROM effects;"));
        Assert.Equal((StoreContract.Start + TimeSpan.FromHours(5)).UtcTicks, Scalar(connection, "SELECT expires_at FROM audit;"));
    }

    [Fact]
    public async Task Expired_rows_are_deleted_by_the_purge_that_follows_a_claim()
    {
        // Arrange: one row of each kind, all past their retention.
        var store = await OpenAsync();
        await store.Inbox.AcceptAsync(Delivery("d-1"), Ct);
        var job = Assert.Single(await store.Jobs.ClaimAsync("worker-a", Lease, 10, Ct));
        await store.Jobs.CompleteAsync(job, Ct);
        await store.Effects.BeginAsync("effect-1", Ct);
        await store.Audit.AppendAsync(new AuditEntry(StoreContract.Start, "system", null, "plan", null, AuditOutcome.Succeeded, null), Ct);
        await store.Jobs.EnqueueAsync(new JobRequest("test.kind", "still-pending", "{}", StoreContract.Start.AddDays(30)), Ct);
        Clock.Advance(TimeSpan.FromDays(15));

        // Act
        await store.Jobs.ClaimAsync("worker-a", Lease, 10, Ct);

        // Assert: pending work never expires.
        await using var connection = store.OpenConnection();
        Assert.Equal(0L, Scalar(connection, "SELECT count(*) FROM inbox;"));
        Assert.Equal(1L, Scalar(connection, "SELECT count(*) FROM jobs;"));
        Assert.Equal(0L, Scalar(connection, "SELECT count(*) FROM effects;"));
        Assert.Equal(0L, Scalar(connection, "SELECT count(*) FROM audit;"));
    }

    [Fact]
    public async Task A_job_row_that_cannot_be_read_is_dead_lettered_by_the_claim_and_the_queue_moves_on()
    {
        // Arrange: a damaged row due before a good job.
        var store = await OpenAsync();
        await using (var connection = store.OpenConnection())
        {
            Execute(
                connection,
                $"""
                INSERT INTO jobs (id, kind, idempotency_key, payload, state, created_at, updated_at, due_at, attempts)
                VALUES ('01DAMAGED', 'test.kind', 'damaged', '{"{}"}', 'Pending', {long.MaxValue}, 0, {StoreContract.Start.AddMinutes(-5).UtcTicks}, 0);
                """);
        }

        var good = await store.Jobs.EnqueueAsync(new JobRequest("test.kind", "good", "{}"), Ct);

        // Act
        var claimed = await store.Jobs.ClaimAsync("worker-a", Lease, 10, Ct);
        var get = () => store.Jobs.GetAsync("01DAMAGED", Ct);

        // Assert
        Assert.Equal(good.JobId, Assert.Single(claimed).Id);
        Assert.Equal(new JobQueueStats(0, 1, 1), await store.Jobs.GetStatsAsync(Ct));
        await Assert.ThrowsAsync<CorruptRecordException>(get);
        Assert.Empty(await store.Jobs.ListDeadLetteredAsync(10, Ct));
        await using var check = store.OpenConnection();
        Assert.Equal("DeadLettered", Scalar(check, "SELECT state FROM jobs WHERE id = '01DAMAGED';"));
        Assert.StartsWith("Unreadable job row", (string)Scalar(check, "SELECT last_error FROM jobs WHERE id = '01DAMAGED';")!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_document_that_cannot_be_read_raises_CorruptRecordException_and_lists_leave_it_out()
    {
        // Arrange
        var store = await OpenAsync();
        var damaged = await store.Runs.CreateAsync(NewRun("thread-damaged"), Ct);
        Clock.Advance(TimeSpan.FromMinutes(1));
        var healthy = await store.Runs.CreateAsync(NewRun("thread-healthy"), Ct);
        await using (var connection = store.OpenConnection())
        {
            Execute(connection, $"UPDATE runs SET document = '{{\"id\": 12' WHERE id = '{damaged.Id}';");
        }

        // Act
        var get = () => store.Runs.GetAsync(damaged.Id, Ct);
        var find = () => store.Runs.FindByThreadAsync("thread-damaged", Ct);
        var latest = await store.Runs.ListLatestAsync(10, Ct);
        var active = await store.Runs.ListActiveAsync(null, Ct);

        // Assert
        var corrupt = await Assert.ThrowsAsync<CorruptRecordException>(get);
        Assert.Contains(damaged.Id.Value, corrupt.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<CorruptRecordException>(find);
        Assert.Equal([healthy.Id], latest.Select(r => r.Id));
        Assert.Equal([healthy.Id], active.Select(r => r.Id));
    }

    [Fact]
    public async Task A_run_document_with_a_missing_member_is_corrupt_rather_than_half_read()
    {
        // Arrange: valid JSON, but the required repository is gone.
        var store = await OpenAsync();
        var run = await store.Runs.CreateAsync(NewRun("thread-1"), Ct);
        await using (var connection = store.OpenConnection())
        {
            Execute(connection, $"UPDATE runs SET document = json_remove(document, '$.repository') WHERE id = '{run.Id}';");
        }

        // Act
        var get = () => store.Runs.GetAsync(run.Id, Ct);

        // Assert
        await Assert.ThrowsAsync<CorruptRecordException>(get);
    }

    [Fact]
    public async Task The_service_provider_disposes_the_store_and_the_file_is_closed()
    {
        // Arrange: the registration the service uses.
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Orchestrator:Storage:Sqlite:Path"] = _database.FilePath })
            .Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton<TimeProvider>(Clock)
            .AddLogging()
            .AddStorage();
        IWebhookInbox inbox;
        await using (var provider = services.BuildServiceProvider())
        {
            inbox = provider.GetRequiredService<IWebhookInbox>();
            await provider.GetRequiredService<IStoreAdmin>().InitializeAsync(Ct);
            await inbox.AcceptAsync(Delivery("d-1"), Ct);

            // Act: leaving the block disposes the provider.
        }

        // Assert: the last connection checkpointed and removed the WAL, and the inbox takes nothing more.
        Assert.True(File.Exists(_database.FilePath));
        Assert.False(File.Exists(_database.FilePath + "-wal"));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => inbox.AcceptAsync(Delivery("d-2"), Ct));
    }

    [Fact]
    public async Task A_relative_path_resolves_against_the_current_directory()
    {
        // Arrange
        var store = Open(o => o.Sqlite.Path = Path.Combine("data", "orchestrator.db"));

        // Act
        var path = store.FilePath;

        // Assert
        Assert.Equal(Path.Combine(Environment.CurrentDirectory, "data", "orchestrator.db"), path);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        await _database.DeleteAsync();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private SqliteStore Open(Action<StorageOptions>? configure = null)
    {
        var store = _database.Open(Clock, configure);
        _stores.Add(store);
        return store;
    }

    private async Task<SqliteStore> OpenAsync(Action<StorageOptions>? configure = null)
    {
        var store = Open(configure);
        await store.Admin.InitializeAsync(Ct);
        return store;
    }

    private WebhookDelivery Delivery(string id) =>
        new(id, "issues", "opened", 1, Clock.GetUtcNow(), Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $$"""{"id":"{{id}}"}""")));

    private Run NewRun(string thread)
    {
        var now = Clock.GetUtcNow();
        return new Run(
            RunId.New(Clock),
            "octo-org/service",
            RunState.InProgress,
            now,
            now,
            [],
            new DiscordLocation(null, "channel-1", thread, null, null),
            [],
            Version: 0);
    }
}
