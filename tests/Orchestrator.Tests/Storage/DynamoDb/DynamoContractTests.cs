using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Storage;
using Orchestrator.Storage.DynamoDb;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Storage.DynamoDb;

// The shared store contract suites, run on DynamoDB (dynalite on 127.0.0.1), each store on tables of its own.
public sealed class DynamoInboxContractTests(DynaliteServer dynalite) : InboxContract
{
    protected override Task<IStoreBackend> CreateStoreAsync(FakeTimeProvider clock) => DynamoContract.Create(dynalite, clock, OnDispose);
}

public sealed class DynamoJobQueueContractTests(DynaliteServer dynalite) : JobQueueContract
{
    protected override Task<IStoreBackend> CreateStoreAsync(FakeTimeProvider clock) => DynamoContract.Create(dynalite, clock, OnDispose);
}

public sealed class DynamoRunStoreContractTests(DynaliteServer dynalite) : RunStoreContract
{
    protected override Task<IStoreBackend> CreateStoreAsync(FakeTimeProvider clock) => DynamoContract.Create(dynalite, clock, OnDispose);
}

public sealed class DynamoScoreboardContractTests(DynaliteServer dynalite) : ScoreboardStoreContract
{
    protected override Task<IStoreBackend> CreateStoreAsync(FakeTimeProvider clock) => DynamoContract.Create(dynalite, clock, OnDispose);
}

public sealed class DynamoEffectLedgerContractTests(DynaliteServer dynalite) : EffectLedgerContract
{
    protected override Task<IStoreBackend> CreateStoreAsync(FakeTimeProvider clock) => DynamoContract.Create(dynalite, clock, OnDispose);
}

public sealed class DynamoAuditLogContractTests(DynaliteServer dynalite) : AuditLogContract
{
    protected override Task<IStoreBackend> CreateStoreAsync(FakeTimeProvider clock) => DynamoContract.Create(dynalite, clock, OnDispose);
}

internal static class DynamoContract
{
    /// <summary>A store with default retentions on a table prefix of its own; its tables are deleted after the test.</summary>
    public static Task<IStoreBackend> Create(DynaliteServer dynalite, FakeTimeProvider clock, Action<Func<ValueTask>> onDispose)
    {
        var options = dynalite.Options();
        onDispose(async () =>
        {
            using var client = dynalite.CreateClient();
            foreach (var table in DynamoSchema.All)
            {
                try
                {
                    await client.DeleteTableAsync(DynamoSchema.TableName(options.DynamoDb, table));
                }
                catch (ResourceNotFoundException)
                {
                }
            }
        });
        var services = new ServiceCollection().AddSingleton<TimeProvider>(clock).BuildServiceProvider();
        return Task.FromResult(DynamoStore.Create(services, options));
    }
}
