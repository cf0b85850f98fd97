using Microsoft.Extensions.Time.Testing;
using Orchestrator.Storage;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Storage.DynamoDb;

public sealed class DynamoOperatorStoreContractTests(DynaliteServer dynalite) : OperatorStoreContract
{
    protected override Task<IStoreBackend> CreateStoreAsync(FakeTimeProvider clock) => DynamoContract.Create(dynalite, clock, OnDispose);
}
