using System.Globalization;
using Amazon.DynamoDBv2;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Storage.DynamoDb;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Storage.DynamoDb;

/// <summary>Local table creation follows <see cref="DynamoSchema"/>, the same schema the SAM template declares.</summary>
public sealed class DynamoAdminTests(DynaliteServer dynalite)
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-25T09:00:00Z", CultureInfo.InvariantCulture));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Initializing_creates_every_table_of_the_schema_active_with_its_keys_indexes_stream_and_ttl()
    {
        // Arrange
        var options = dynalite.Options();

        // Act
        var store = await dynalite.CreateStoreAsync(_clock, options);

        // Assert
        using var client = dynalite.CreateClient();
        foreach (var definition in DynamoSchema.All)
        {
            var name = DynamoSchema.TableName(options.DynamoDb, definition);
            var table = (await client.DescribeTableAsync(name, Ct)).Table;
            Assert.Equal(TableStatus.ACTIVE, table.TableStatus);
            Assert.Equal(BillingMode.PAY_PER_REQUEST, table.BillingModeSummary?.BillingMode ?? BillingMode.PAY_PER_REQUEST);
            Assert.Equal(
                definition.RangeKey is null ? [definition.HashKey] : [definition.HashKey, definition.RangeKey],
                table.KeySchema.Select(k => k.AttributeName));
            Assert.Equal(
                definition.Indexes.Select(i => $"{i.Name}:{i.HashKey}:{i.RangeKey}:{i.Projection.Value}"),
                (table.GlobalSecondaryIndexes ?? []).Select(i => $"{i.IndexName}:{i.KeySchema[0].AttributeName}:{i.KeySchema[1].AttributeName}:{i.Projection.ProjectionType}"));
            Assert.Equal(definition.Stream, table.StreamSpecification?.StreamViewType);
            var ttl = (await client.DescribeTimeToLiveAsync(name, Ct)).TimeToLiveDescription;
            Assert.Equal((TimeToLiveStatus.ENABLED, DynamoSchema.TimeToLive), (ttl.TimeToLiveStatus, ttl.AttributeName));
        }

        Assert.True(await store.Admin.IsReachableAsync(Ct));
    }

    [Fact]
    public async Task Initializing_again_leaves_existing_tables_and_their_items_alone()
    {
        // Arrange
        var options = dynalite.Options();
        var first = await dynalite.CreateStoreAsync(_clock, options);
        var enqueued = await first.Jobs.EnqueueAsync(new("k", "kept", "{}"), Ct);

        // Act
        var second = await dynalite.CreateStoreAsync(_clock, options);

        // Assert
        Assert.NotNull(await second.Jobs.GetAsync(enqueued.JobId, Ct));
    }

    [Fact]
    public async Task Instances_starting_together_on_new_tables_all_initialize()
    {
        // Arrange: what two service processes with CreateTables do when they start at once, a few times over.
        var options = dynalite.Options();

        // Act: each creates, or finds being created, the same tables and turns on their TTL.
        var stores = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => dynalite.CreateStoreAsync(_clock, options)));

        // Assert
        foreach (var store in stores)
        {
            Assert.True(await store.Admin.IsReachableAsync(Ct));
        }

        using var client = dynalite.CreateClient();
        foreach (var definition in DynamoSchema.All)
        {
            var ttl = (await client.DescribeTimeToLiveAsync(DynamoSchema.TableName(options.DynamoDb, definition), Ct)).TimeToLiveDescription;
            Assert.Equal(TimeToLiveStatus.ENABLED, ttl.TimeToLiveStatus);
        }
    }

    [Fact]
    public async Task Without_create_tables_initializing_creates_nothing()
    {
        // Arrange
        var options = dynalite.Options();
        options.DynamoDb.CreateTables = false;

        // Act
        var store = await dynalite.CreateStoreAsync(_clock, options);

        // Assert
        Assert.False(await store.Admin.IsReachableAsync(Ct));
        using var client = dynalite.CreateClient();
        var tables = await client.ListTablesAsync(new Amazon.DynamoDBv2.Model.ListTablesRequest(), Ct);
        Assert.DoesNotContain(tables.TableNames ?? [], t => t.StartsWith(options.DynamoDb.TablePrefix, StringComparison.Ordinal));
    }
}
