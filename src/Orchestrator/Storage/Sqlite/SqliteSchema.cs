namespace Orchestrator.Storage.Sqlite;

/// <summary>
/// The schema as ordered migrations. The database's <c>PRAGMA user_version</c> is the number of migrations
/// applied; <see cref="SqliteDatabase.InitializeAsync"/> applies the rest in one transaction. A migration is
/// never edited once committed: change the schema by appending one.
/// </summary>
/// <remarks>
/// Times are UTC ticks (INTEGER), so they sort and compare exactly. Tables are STRICT so a value of the wrong
/// type cannot be stored. Rows that expire carry <c>expires_at</c>; reads treat an expired row as gone and
/// <see cref="SqlitePurge"/> deletes it later.
/// </remarks>
internal static class SqliteSchema
{
    public static readonly IReadOnlyList<string> Migrations =
    [
        """
        CREATE TABLE inbox (
            delivery_id TEXT PRIMARY KEY,
            event TEXT NOT NULL,
            action TEXT,
            hook_id INTEGER,
            received_at INTEGER NOT NULL,
            payload BLOB NOT NULL,
            expires_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX inbox_expiry ON inbox (expires_at);

        CREATE TABLE jobs (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            idempotency_key TEXT NOT NULL UNIQUE,
            payload TEXT NOT NULL,
            state TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            due_at INTEGER NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            lease_owner TEXT,
            lease_expires_at INTEGER,
            last_error TEXT,
            expires_at INTEGER
        ) STRICT;
        -- Claims walk this index in due order; a leased job's due_at is never later than its claim time.
        CREATE INDEX jobs_claimable ON jobs (due_at) WHERE state IN ('Pending', 'Leased');
        CREATE INDEX jobs_state ON jobs (state, updated_at);
        CREATE INDEX jobs_expiry ON jobs (expires_at) WHERE expires_at IS NOT NULL;

        CREATE TABLE runs (
            id TEXT PRIMARY KEY,
            repository TEXT NOT NULL,
            state TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            version INTEGER NOT NULL,
            document TEXT NOT NULL
        ) STRICT;
        CREATE INDEX runs_created ON runs (created_at, id);
        CREATE INDEX runs_state ON runs (state, repository, created_at);

        -- Lookup keys (thread, pull request, issue, correlation id) to runs; rewritten with every run write.
        CREATE TABLE run_keys (
            key TEXT NOT NULL,
            run_id TEXT NOT NULL,
            PRIMARY KEY (key, run_id)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX run_keys_run ON run_keys (run_id);

        CREATE TABLE effects (
            key TEXT PRIMARY KEY,
            state TEXT NOT NULL,
            result TEXT,
            started_at INTEGER NOT NULL,
            completed_at INTEGER,
            expires_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX effects_expiry ON effects (expires_at);

        CREATE TABLE audit (
            seq INTEGER PRIMARY KEY,
            at INTEGER NOT NULL,
            actor TEXT NOT NULL,
            actor_name TEXT,
            action TEXT NOT NULL,
            run_id TEXT,
            outcome TEXT NOT NULL,
            detail TEXT,
            expires_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX audit_run ON audit (run_id, at) WHERE run_id IS NOT NULL;
        CREATE INDEX audit_at ON audit (at);
        CREATE INDEX audit_expiry ON audit (expires_at);
        """,

        // The W3C trace context of the span that enqueued the job (Job.TraceParent); null for jobs stored before.
        """
        ALTER TABLE jobs ADD COLUMN trace_parent TEXT;
        """,

        // How many times a stored delivery was received again (GitHub redelivering its id), and when last.
        """
        ALTER TABLE inbox ADD COLUMN duplicates INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE inbox ADD COLUMN last_duplicate_at INTEGER;
        """,
    ];

    /// <summary>The tables whose rows expire, for <see cref="SqlitePurge"/>.</summary>
    public static readonly IReadOnlyList<string> ExpiringTables = ["inbox", "jobs", "effects", "audit"];
}
