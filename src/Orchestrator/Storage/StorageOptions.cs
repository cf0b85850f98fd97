using System.ComponentModel.DataAnnotations;

namespace Orchestrator.Storage;

public enum StorageProvider
{
    Sqlite,
    DynamoDb,
}

public enum SqliteDurability
{
    /// <summary>WAL with synchronous=NORMAL: a committed delivery survives a process crash, not a power loss.</summary>
    Process,

    /// <summary>WAL with synchronous=FULL: every commit is fsynced before the 2xx, so it survives a power loss.</summary>
    PowerLoss,
}

public sealed class StorageOptions
{
    public const string Section = "Orchestrator:Storage";

    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>How long a stored webhook delivery is kept (TTL).</summary>
    [Range(typeof(TimeSpan), "01:00:00", "3650.00:00:00")]
    public TimeSpan InboxRetention { get; set; } = TimeSpan.FromDays(14);

    /// <summary>How long completed jobs, effect records and audit entries are kept.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "3650.00:00:00")]
    public TimeSpan CompletedJobRetention { get; set; } = TimeSpan.FromDays(7);

    public SqliteStoreOptions Sqlite { get; set; } = new();

    public DynamoDbStoreOptions DynamoDb { get; set; } = new();
}

public sealed class SqliteStoreOptions
{
    /// <summary>The database file; its folder is created on first start.</summary>
    [Required]
    public string Path { get; set; } = "data/orchestrator.db";

    public SqliteDurability Durability { get; set; } = SqliteDurability.PowerLoss;

    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

public sealed class DynamoDbStoreOptions
{
    /// <summary>Prefix of the table names: "{prefix}runs", "{prefix}inbox", "{prefix}jobs" (see <see cref="DynamoDb.DynamoSchema"/>).</summary>
    [Required]
    public string TablePrefix { get; set; } = "orchestrator-";

    /// <summary>Endpoint override, e.g. a local DynamoDB-API server; empty for AWS.</summary>
    public string? ServiceUrl { get; set; }

    public string? Region { get; set; }

    /// <summary>Create missing tables at start-up (local use); in AWS the SAM template creates them.</summary>
    public bool CreateTables { get; set; }
}
