namespace Orchestrator.Storage.DynamoDb;

public static class DynamoStore
{
    // Filled in by the storage work (issue 4).
    public static IStoreBackend Create(IServiceProvider services, StorageOptions options) =>
        throw new NotSupportedException("DynamoDB store not built yet.");
}
