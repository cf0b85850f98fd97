using Microsoft.Extensions.Time.Testing;
using Orchestrator.Storage;

namespace Orchestrator.Tests.Storage.Sqlite;

public sealed class SqliteOperatorStoreTests : OperatorStoreContract
{
    protected override Task<IStoreBackend> CreateStoreAsync(FakeTimeProvider clock) => SqliteContract.CreateAsync(clock, OnDispose);
}
