using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Orchestrator.Storage.Sqlite;

/// <summary>
/// Every storage contract over one SQLite file (WAL, <c>synchronous</c> from <see cref="SqliteStoreOptions.Durability"/>).
/// Several processes may share the file: every read-then-write runs under <c>BEGIN IMMEDIATE</c>.
/// The DI container disposes the store, which writes the deliveries still queued and closes the file.
/// </summary>
public sealed class SqliteStore : IStoreBackend, IStoreAdmin, IAsyncDisposable, IDisposable
{
    private readonly SqliteDatabase _database;
    private readonly SqliteInbox _inbox;
    private int _disposed;

    private SqliteStore(StorageOptions options, TimeProvider time, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(SqliteStore).FullName!);
        _database = new SqliteDatabase(options.Sqlite);
        _inbox = new SqliteInbox(_database, options, time, logger);
        Jobs = new SqliteJobQueue(_database, new SqlitePurge(_database, time, logger), options, time, logger);
        Runs = new SqliteRunStore(_database, time, logger);
        Effects = new SqliteEffectLedger(_database, options, time);
        Audit = new SqliteAuditLog(_database, options, time);
        Operator = new SqliteOperatorStore(_database, time);
    }

    public IWebhookInbox Inbox => _inbox;

    public IJobQueue Jobs { get; }

    public IRunStore Runs { get; }

    public IEffectLedger Effects { get; }

    public IAuditLog Audit { get; }

    public IStoreAdmin Admin => this;

    public IOperatorStore Operator { get; }

    public IXmlRepository? DataProtectionKeys => null;

    /// <summary>The database file's full path.</summary>
    public string FilePath => _database.FilePath;

    /// <summary>Creates the store; nothing touches the disk until <see cref="InitializeAsync"/> or the first use.</summary>
    public static IStoreBackend Create(IServiceProvider services, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        return new SqliteStore(
            options,
            services.GetService<TimeProvider>() ?? TimeProvider.System,
            services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance);
    }

    public string Location => "SQLite " + _database.FilePath;

    public Task<IReadOnlyList<string>> VerifyAsync(CancellationToken cancellationToken) => _database.VerifyAsync(cancellationToken);

    /// <summary>Creates the folder and file if needed and applies pending schema migrations.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken) => _database.InitializeAsync(cancellationToken);

    public Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_database.Ping());
    }

    /// <summary>A connection of the store's own kind (same pragmas), for diagnostics and tests. The caller owns it.</summary>
    internal SqliteConnection OpenConnection() => _database.OpenConnection();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _inbox.StopAsync().ConfigureAwait(false);
        _database.Dispose();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        // Synchronous disposal has to wait for the writer loop; it only waits on the queued writes.
        _inbox.StopAsync().GetAwaiter().GetResult();
        _database.Dispose();
    }
}
