namespace Orchestrator.Storage.Sqlite;

public static class SqliteStore
{
    // Filled in by the storage work (issue 4).
    public static IStoreBackend Create(IServiceProvider services, StorageOptions options) =>
        throw new NotSupportedException("SQLite store not built yet.");
}
