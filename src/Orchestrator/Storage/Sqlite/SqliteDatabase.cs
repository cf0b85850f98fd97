using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Orchestrator.Storage.Sqlite;

/// <summary>
/// One SQLite file: opens connections with the configured pragmas, keeps a few idle ones for reuse, applies the
/// schema migrations once, and turns "cannot write" errors into <see cref="StoreUnavailableException"/>.
/// </summary>
/// <remarks>
/// Microsoft.Data.Sqlite's own pool is off so that disposing the store really closes the file (the last close
/// checkpoints the WAL). Waiting for a lock is left to SQLite's busy handler (<c>PRAGMA busy_timeout</c>), which
/// backs off in milliseconds; the library's own retry, which sleeps 150 ms at a time, is limited to one second
/// by <c>Default Timeout</c>, so a lock held beyond the busy timeout fails within about max(timeout, 1 s).
/// </remarks>
internal sealed class SqliteDatabase : IDisposable
{
    private const int MaxIdleConnections = 16;

    private readonly ConcurrentBag<SqliteConnection> _idle = [];
    private readonly SemaphoreSlim _initializing = new(1, 1);
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly string _connectionString;
    private readonly string _pragmas;
    private readonly string _synchronous;
    private volatile bool _initialized;
    private volatile bool _disposed;

    public SqliteDatabase(SqliteStoreOptions options)
    {
        FilePath = Path.GetFullPath(options.Path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = 1,
        }.ToString();
        var synchronous = _synchronous = options.Durability == SqliteDurability.PowerLoss ? "FULL" : "NORMAL";
        var busyMs = (long)Math.Ceiling(options.BusyTimeout.TotalMilliseconds);
        _pragmas = string.Create(
            CultureInfo.InvariantCulture,
            $"PRAGMA busy_timeout = {busyMs}; PRAGMA synchronous = {synchronous}; PRAGMA journal_size_limit = 67108864;");
    }

    /// <summary>The database file's full path (relative paths resolve against the current directory).</summary>
    public string FilePath { get; }

    /// <summary>Opens a new connection with the store's pragmas. The caller owns it.</summary>
    public SqliteConnection OpenConnection()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StoreUnavailableException($"The folder of the SQLite database {FilePath} cannot be created.", ex);
        }

        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            connection.Execute(_pragmas);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Applies the pending migrations (idempotent; safe with several processes on one file).</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await _initializing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Translate(() =>
            {
                using var connection = OpenConnection();

                // WAL is a property of the file: set once, outside any transaction.
                connection.Execute("PRAGMA journal_mode = WAL;");
                using var transaction = connection.BeginTransaction(deferred: false);
                var version = Convert.ToInt32(connection.Scalar("PRAGMA user_version;"), CultureInfo.InvariantCulture);
                var known = SqliteSchema.Migrations.Count;
                if (version > known)
                {
                    throw new InvalidOperationException(
                        $"The SQLite database {FilePath} has schema version {version}, newer than this build knows ({known}).");
                }

                for (var i = version; i < known; i++)
                {
                    connection.Execute(SqliteSchema.Migrations[i]);
                }

                // PRAGMA takes no parameters; the value is a count of our own migrations.
                connection.Execute(string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version = {known};"));
                transaction.Commit();
                return 0;
            });
            _initialized = true;
        }
        finally
        {
            _initializing.Release();
        }
    }

    public Task EnsureInitializedAsync(CancellationToken cancellationToken) =>
        _initialized ? Task.CompletedTask : InitializeAsync(cancellationToken);

    /// <summary>Runs <paramref name="work"/> on a pooled connection outside any transaction.</summary>
    public async Task<T> ReadAsync<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return Translate(() => WithConnection(work));
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a <c>BEGIN IMMEDIATE</c> transaction and commits when it returns; an
    /// exception rolls everything back. The write lock is taken up front, so what the work reads stays true until
    /// it commits, in this process and any other on the same file.
    /// </summary>
    /// <param name="durable">
    /// False for writes that may be lost in a power cut without harm (a job's lease or completion: the job runs
    /// again, and its effects are in the ledger): they commit with <c>synchronous=NORMAL</c>, without an fsync of
    /// their own. The next durable commit's fsync covers them, since the WAL is written in order.
    /// </param>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken, bool durable = true)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Translate(() => WithConnection(connection => InTransaction(connection, work, durable)));
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>
    /// Runs <paramref name="write"/> (on a connection of the caller's) as the only writer of this process. SQLite
    /// lets one writer in at a time; writers of one process queue here, asynchronously and in order, rather than
    /// in SQLite's busy handler, which sleeps (1, 2, 5 ... 100 ms) and so turned a busy moment into latency.
    /// </summary>
    public async Task<T> ExclusiveAsync<T>(Func<T> write, CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return write();
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>One transaction on <paramref name="connection"/>; see <see cref="WriteAsync{T}"/> for <paramref name="durable"/>.</summary>
    public T InTransaction<T>(SqliteConnection connection, Func<SqliteConnection, T> work, bool durable)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(work);
        if (!durable && _synchronous != "NORMAL")
        {
            connection.Execute("PRAGMA synchronous = NORMAL;");
        }

        try
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            var result = work(connection);
            transaction.Commit();
            return result;
        }
        finally
        {
            if (!durable && _synchronous != "NORMAL")
            {
                connection.Execute("PRAGMA synchronous = " + _synchronous + ";");
            }
        }
    }

    /// <summary>
    /// Opens the file (applying pending migrations), then commits a probe row to the effects table, reads it back and
    /// deletes it in a second commit: proof that the folder, the file and its WAL are writable and the disk takes a commit.
    /// </summary>
    public async Task<IReadOnlyList<string>> VerifyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await InitializeAsync(cancellationToken).ConfigureAwait(false);
            var key = "doctor:probe:" + Guid.NewGuid().ToString("N");
            await WriteAsync(c => c.Execute("INSERT INTO effects (key, state, started_at, expires_at) VALUES ($k, 'Started', 0, 0);", ("$k", key)), cancellationToken).ConfigureAwait(false);
            var found = await ReadAsync(c => Convert.ToInt64(c.Scalar("SELECT count(*) FROM effects WHERE key = $k;", ("$k", key)), CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
            await WriteAsync(c => c.Execute("DELETE FROM effects WHERE key = $k;", ("$k", key)), cancellationToken).ConfigureAwait(false);
            return found == 1 ? [] : [$"The SQLite database {FilePath} did not return a row it had just committed."];
        }
        catch (StoreUnavailableException ex)
        {
            return [ex.Describe()];
        }
        catch (InvalidOperationException ex)
        {
            return [ex.Message];
        }
    }

    /// <summary>True when a trivial query answers. Does not apply migrations, so it never fails for a schema reason.</summary>
    public bool Ping()
    {
        try
        {
            return Translate(() => WithConnection(connection => Convert.ToInt64(connection.Scalar("SELECT 1;"), CultureInfo.InvariantCulture) == 1));
        }
        catch (Exception ex) when (ex is StoreUnavailableException or SqliteException)
        {
            return false;
        }
    }

    /// <summary>True for errors that mean "the database cannot be written or reached now", as opposed to bugs.</summary>
    public static bool IsUnavailable(SqliteException exception) =>
        (exception.SqliteErrorCode & 0xFF) is
            3 // SQLITE_PERM
            or 5 // SQLITE_BUSY
            or 6 // SQLITE_LOCKED
            or 7 // SQLITE_NOMEM
            or 8 // SQLITE_READONLY
            or 10 // SQLITE_IOERR
            or 11 // SQLITE_CORRUPT
            or 13 // SQLITE_FULL
            or 14 // SQLITE_CANTOPEN
            or 15 // SQLITE_PROTOCOL
            or 26; // SQLITE_NOTADB

    public static StoreUnavailableException Unavailable(string filePath, SqliteException exception) =>
        new($"The SQLite database {filePath} cannot be used: {exception.Message}", exception);

    public T Translate<T>(Func<T> work)
    {
        try
        {
            return work();
        }
        catch (SqliteException ex) when (IsUnavailable(ex))
        {
            throw Unavailable(FilePath, ex);
        }
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var connection))
        {
            connection.Dispose();
        }

        _initializing.Dispose();
    }

    private T WithConnection<T>(Func<SqliteConnection, T> work)
    {
        var connection = _idle.TryTake(out var idle) ? idle : OpenConnection();
        var reusable = false;
        try
        {
            var result = work(connection);
            reusable = true;
            return result;
        }
        finally
        {
            Return(connection, reusable);
        }
    }

    private void Return(SqliteConnection connection, bool reusable)
    {
        // A connection that saw an error may hold a half-finished statement or transaction: do not reuse it.
        if (!reusable || _disposed || _idle.Count >= MaxIdleConnections)
        {
            connection.Dispose();
            return;
        }

        _idle.Add(connection);
        if (_disposed)
        {
            // Disposed meanwhile: close what is idle, including the connection just added.
            while (_idle.TryTake(out var idle))
            {
                idle.Dispose();
            }
        }
    }
}
