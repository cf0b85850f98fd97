using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Orchestrator.Runs;

namespace Orchestrator.Storage.Sqlite;

/// <summary>
/// Runs as JSON documents with indexed columns beside them, and a lookup table from keys (thread, pull request,
/// issue, correlation id) to runs that is rewritten in the same transaction as the run.
/// </summary>
/// <remarks>
/// A document that cannot be read makes single-run reads throw <see cref="CorruptRecordException"/>; list reads
/// log it and leave it out, so one damaged run does not hide every other one.
/// </remarks>
internal sealed partial class SqliteRunStore(SqliteDatabase database, TimeProvider time, ILogger logger) : IRunStore
{
    /// <summary>The states <see cref="Run.IsActive"/> accepts, as an SQL list (the enum's names are fixed text).</summary>
    private static readonly string ActiveStates = string.Join(
        ", ",
        Enum.GetValues<RunState>().Where(Run.IsActive).Select(s => $"'{s}'"));

    public Task<Run> CreateAsync(Run run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Version != 0)
        {
            throw new ArgumentException($"A new run has version 0; run {run.Id} has version {run.Version}.", nameof(run));
        }

        var stored = run with { Version = 1 };
        var document = Serialize(stored);
        return database.WriteAsync(
            connection =>
            {
                var inserted = connection.Execute(
                    """
                    INSERT INTO runs (id, repository, state, created_at, updated_at, version, document)
                    VALUES (@id, @repository, @state, @created, @updated, @version, @document)
                    ON CONFLICT (id) DO NOTHING
                    """,
                    ("@id", stored.Id.Value),
                    ("@repository", stored.Repository),
                    ("@state", stored.State.ToString()),
                    ("@created", SqliteTime.ToTicks(stored.CreatedAt)),
                    ("@updated", SqliteTime.ToTicks(stored.UpdatedAt)),
                    ("@version", stored.Version),
                    ("@document", document)) == 1;
                if (!inserted)
                {
                    throw new ConcurrencyConflictException($"Run {stored.Id} already exists.");
                }

                WriteKeys(connection, stored);
                return stored;
            },
            cancellationToken);
    }

    public Task<Run> UpdateAsync(Run run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var stored = run with { Version = run.Version + 1, UpdatedAt = time.GetUtcNow() };
        var document = Serialize(stored);
        return database.WriteAsync(
            connection =>
            {
                var updated = connection.Execute(
                    """
                    UPDATE runs SET repository = @repository, state = @state, created_at = @created,
                        updated_at = @updated, version = @version, document = @document
                    WHERE id = @id AND version = @expected
                    """,
                    ("@id", stored.Id.Value),
                    ("@repository", stored.Repository),
                    ("@state", stored.State.ToString()),
                    ("@created", SqliteTime.ToTicks(stored.CreatedAt)),
                    ("@updated", SqliteTime.ToTicks(stored.UpdatedAt)),
                    ("@version", stored.Version),
                    ("@document", document),
                    ("@expected", run.Version)) == 1;
                if (!updated)
                {
                    throw new ConcurrencyConflictException($"Run {run.Id} is not at version {run.Version} (changed by another writer, or missing).");
                }

                connection.Execute("DELETE FROM run_keys WHERE run_id = @id", ("@id", stored.Id.Value));
                WriteKeys(connection, stored);
                return stored;
            },
            cancellationToken);
    }

    public async Task<Run?> GetAsync(RunId id, CancellationToken cancellationToken)
    {
        var rows = await database.ReadAsync(
            connection => connection.Query("SELECT id, document FROM runs WHERE id = @id", StoredRun.Read, ("@id", id.Value)),
            cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0].ToRun();
    }

    public async Task<IReadOnlyList<Run>> ListLatestAsync(int count, CancellationToken cancellationToken)
    {
        var rows = await database.ReadAsync(
            connection => connection.Query(
                "SELECT id, document FROM runs ORDER BY created_at DESC, id DESC LIMIT @count",
                StoredRun.Read,
                ("@count", Math.Max(0, count))),
            cancellationToken).ConfigureAwait(false);
        return ReadAll(rows);
    }

    public async Task<IReadOnlyList<Run>> ListActiveAsync(string? repository, CancellationToken cancellationToken)
    {
        var rows = await database.ReadAsync(
            connection => connection.Query(
                $"""
                SELECT id, document FROM runs
                WHERE state IN ({ActiveStates}) AND (@repository IS NULL OR repository = @repository)
                ORDER BY created_at DESC, id DESC
                """,
                StoredRun.Read,
                ("@repository", repository)),
            cancellationToken).ConfigureAwait(false);
        return ReadAll(rows);
    }

    public Task<Run?> FindByThreadAsync(string threadId, CancellationToken cancellationToken) =>
        FindAsync(ThreadKey(threadId), cancellationToken);

    public Task<Run?> FindByPullRequestAsync(string repository, int pullRequestNumber, CancellationToken cancellationToken) =>
        FindAsync(PullRequestKey(repository, pullRequestNumber), cancellationToken);

    public Task<Run?> FindByIssueAsync(string repository, int issueNumber, CancellationToken cancellationToken) =>
        FindAsync(IssueKey(repository, issueNumber), cancellationToken);

    public Task<Run?> FindByCorrelationIdAsync(string correlationId, CancellationToken cancellationToken) =>
        FindAsync(CorrelationKey(correlationId), cancellationToken);

    /// <summary>Every lookup key of a run, without repeats.</summary>
    internal static HashSet<string> KeysOf(Run run)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        if (run.Discord?.ThreadId is { Length: > 0 } thread)
        {
            keys.Add(ThreadKey(thread));
        }

        foreach (var task in run.Tasks)
        {
            keys.Add(IssueKey(run.Repository, task.IssueNumber));
            if (task.PullRequestNumber is { } pr)
            {
                keys.Add(PullRequestKey(run.Repository, pr));
            }

            if (!string.IsNullOrEmpty(task.CorrelationId))
            {
                keys.Add(CorrelationKey(task.CorrelationId));
            }
        }

        if (run.Ship?.CorrelationId is { Length: > 0 } ship)
        {
            keys.Add(CorrelationKey(ship));
        }

        return keys;
    }

    private static string ThreadKey(string threadId) => "thread:" + threadId;

    private static string PullRequestKey(string repository, int number) => string.Create(CultureInfo.InvariantCulture, $"pr:{repository}#{number}");

    private static string IssueKey(string repository, int number) => string.Create(CultureInfo.InvariantCulture, $"issue:{repository}#{number}");

    private static string CorrelationKey(string correlationId) => "corr:" + correlationId;

    private static string Serialize(Run run) => JsonSerializer.Serialize(run, RunJsonContext.Default.Run);

    private static void WriteKeys(SqliteConnection connection, Run run)
    {
        foreach (var key in KeysOf(run))
        {
            connection.Execute("INSERT OR IGNORE INTO run_keys (key, run_id) VALUES (@key, @id)", ("@key", key), ("@id", run.Id.Value));
        }
    }

    /// <summary>The newest run holding <paramref name="key"/>.</summary>
    private async Task<Run?> FindAsync(string key, CancellationToken cancellationToken)
    {
        var rows = await database.ReadAsync(
            connection => connection.Query(
                """
                SELECT r.id, r.document FROM run_keys k JOIN runs r ON r.id = k.run_id
                WHERE k.key = @key
                ORDER BY r.created_at DESC, r.id DESC
                LIMIT 1
                """,
                StoredRun.Read,
                ("@key", key)),
            cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0].ToRun();
    }

    private List<Run> ReadAll(List<StoredRun> rows)
    {
        var runs = new List<Run>(rows.Count);
        foreach (var row in rows)
        {
            try
            {
                runs.Add(row.ToRun());
            }
            catch (CorruptRecordException ex)
            {
                Log.UnreadableRunSkipped(logger, ex, row.Id);
            }
        }

        return runs;
    }

    private sealed record StoredRun(string Id, string Document)
    {
        public static StoredRun Read(SqliteDataReader reader) => new(reader.GetString(0), reader.GetString(1));

        public Run ToRun()
        {
            try
            {
                return JsonSerializer.Deserialize(Document, RunJsonContext.Default.Run)
                    ?? throw new JsonException("The document is null.");
            }
            catch (Exception ex) when (ex is JsonException or NotSupportedException or ArgumentException or FormatException or InvalidOperationException)
            {
                throw new CorruptRecordException($"Run {Id} cannot be read: {ex.Message}", ex);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 630, Level = LogLevel.Error, Message = "Run {RunId} could not be read and was left out of the list")]
        public static partial void UnreadableRunSkipped(ILogger logger, Exception exception, string runId);
    }
}
