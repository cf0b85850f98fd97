using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Storage;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Tests.Storage.Sqlite;

/// <summary>A SQLite file of its own in a temporary folder, and stores opened on it.</summary>
public sealed class SqliteTestDatabase
{
    private SqliteTestDatabase(string directory) => Directory = directory;

    public string Directory { get; }

    public string FilePath => Path.Combine(Directory, "orchestrator.db");

    public static SqliteTestDatabase Create() => new(System.IO.Directory.CreateTempSubdirectory("orchestrator-store-").FullName);

    /// <summary>A store on this file with default options (changed by <paramref name="configure"/>), reading <paramref name="clock"/>.</summary>
    public SqliteStore Open(TimeProvider clock, Action<StorageOptions>? configure = null)
    {
        var options = new StorageOptions { Sqlite = { Path = FilePath } };
        configure?.Invoke(options);
        var services = new ServiceCollection().AddSingleton(clock).BuildServiceProvider();
        return (SqliteStore)SqliteStore.Create(services, options);
    }

    public ValueTask DeleteAsync()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // a file still open elsewhere; the OS cleans temporary folders
        }

        return ValueTask.CompletedTask;
    }
}

public sealed class SqliteInboxTests : InboxContract
{
    protected override Task<IStoreBackend> CreateStoreAsync(FakeTimeProvider clock) => SqliteContract.CreateAsync(clock, OnDispose);
}

public sealed class SqliteJobQueueTests : JobQueueContract
{
    protected override Task<IStoreBackend> CreateStoreAsync(FakeTimeProvider clock) => SqliteContract.CreateAsync(clock, OnDispose);
}

public sealed class SqliteRunStoreTests : RunStoreContract
{
    protected override Task<IStoreBackend> CreateStoreAsync(FakeTimeProvider clock) => SqliteContract.CreateAsync(clock, OnDispose);
}

public sealed class SqliteScoreboardTests : ScoreboardStoreContract
{
    protected override Task<IStoreBackend> CreateStoreAsync(FakeTimeProvider clock) => SqliteContract.CreateAsync(clock, OnDispose);
}

public sealed class SqliteEffectLedgerTests : EffectLedgerContract
{
    protected override Task<IStoreBackend> CreateStoreAsync(FakeTimeProvider clock) => SqliteContract.CreateAsync(clock, OnDispose);
}

public sealed class SqliteAuditLogTests : AuditLogContract
{
    protected override Task<IStoreBackend> CreateStoreAsync(FakeTimeProvider clock) => SqliteContract.CreateAsync(clock, OnDispose);
}

internal static class SqliteContract
{
    public static Task<IStoreBackend> CreateAsync(FakeTimeProvider clock, Action<Func<ValueTask>> onDispose)
    {
        var database = SqliteTestDatabase.Create();
        onDispose(database.DeleteAsync);
        return Task.FromResult<IStoreBackend>(database.Open(clock));
    }
}
