using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Storage;
using Orchestrator.Storage.DynamoDb;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Storage.DynamoDb;

/// <summary>What only the DynamoDB inbox has to get right: chunked payloads, the accept transaction, TTL.</summary>
public sealed class DynamoInboxTests(DynaliteServer dynalite)
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-25T09:00:00Z", CultureInfo.InvariantCulture));

    [Fact]
    public async Task A_large_incompressible_payload_is_split_into_chunks_and_round_trips_byte_for_byte()
    {
        // Arrange: random bytes as base64 compress by a quarter at most, so 1.5 MB needs several 400 KB items.
        var options = dynalite.Options();
        var store = await dynalite.CreateStoreAsync(_clock, options);
        var payload = RandomJson(1_500_000);
        var delivery = Delivery("big", payload);

        // Act
        var outcome = await store.Inbox.AcceptAsync(delivery, TestContext.Current.CancellationToken);
        var stored = await store.Inbox.GetAsync("big", TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal(AcceptOutcome.Accepted, outcome);
        Assert.NotNull(stored);
        Assert.Equal(payload, stored.Payload);
        Assert.Equal(delivery with { Payload = stored.Payload }, stored);
        var items = await ItemsAsync(options, "big");
        Assert.True(items.Count(i => i["sk"].S.StartsWith("chunk#", StringComparison.Ordinal)) >= 3, "expected the payload in chunk items");
    }

    [Fact]
    public async Task The_largest_payload_GitHub_sends_round_trips_byte_for_byte()
    {
        // Arrange: 25 MB, the GitHub limit, of incompressible data.
        var store = await dynalite.CreateStoreAsync(_clock);
        var payload = RandomJson(25 * 1024 * 1024);

        // Act
        await store.Inbox.AcceptAsync(Delivery("huge", payload), TestContext.Current.CancellationToken);
        var stored = await store.Inbox.GetAsync("huge", TestContext.Current.CancellationToken);

        // Assert
        Assert.NotNull(stored);
        Assert.True(payload.AsSpan().SequenceEqual(stored.Payload), "the payload changed on its way through the store");
    }

    [Fact]
    public async Task A_small_payload_is_kept_in_the_header_item_alone()
    {
        // Arrange
        var options = dynalite.Options();
        var store = await dynalite.CreateStoreAsync(_clock, options);
        var payload = Encoding.UTF8.GetBytes("""{"action":"opened","number":1}""");

        // Act
        await store.Inbox.AcceptAsync(Delivery("small", payload), TestContext.Current.CancellationToken);
        var stored = await store.Inbox.GetAsync("small", TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal(payload, stored?.Payload);
        var item = Assert.Single(await ItemsAsync(options, "small"));
        Assert.Equal("header", item["sk"].S);
    }

    [Fact]
    public async Task A_compressible_payload_is_stored_compressed()
    {
        // Arrange: 2 MB of repetitive JSON compresses into one item.
        var options = dynalite.Options();
        var store = await dynalite.CreateStoreAsync(_clock, options);
        var payload = Encoding.UTF8.GetBytes("[" + string.Join(',', Enumerable.Repeat("""{"label":"ready","state":"open"}""", 60_000)) + "]");

        // Act
        await store.Inbox.AcceptAsync(Delivery("repetitive", payload), TestContext.Current.CancellationToken);
        var stored = await store.Inbox.GetAsync("repetitive", TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal(payload, stored?.Payload);
        var item = Assert.Single(await ItemsAsync(options, "repetitive"));
        Assert.Equal("br", item["encoding"].S);
    }

    [Fact]
    public async Task An_accepted_delivery_and_its_job_are_written_together_and_a_redelivery_adds_nothing()
    {
        // Arrange
        var store = await dynalite.CreateStoreAsync(_clock);
        var delivery = Delivery("d-1", RandomJson(600_000));

        // Act
        var first = await store.Inbox.AcceptAsync(delivery, TestContext.Current.CancellationToken);
        var second = await store.Inbox.AcceptAsync(delivery with { Payload = RandomJson(600_000) }, TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal(AcceptOutcome.Accepted, first);
        Assert.Equal(AcceptOutcome.Duplicate, second);
        Assert.Equal(delivery.Payload, (await store.Inbox.GetAsync("d-1", TestContext.Current.CancellationToken))?.Payload);
        Assert.Equal(new JobQueueStats(1, 0, 0), await store.Jobs.GetStatsAsync(TestContext.Current.CancellationToken));
        var job = Assert.Single(await store.Jobs.ClaimAsync("w", TimeSpan.FromMinutes(1), 10, TestContext.Current.CancellationToken));
        Assert.Equal((InboxJob.Kind, "d-1"), (job.Kind, job.Payload));
    }

    [Fact]
    public async Task Concurrent_deliveries_of_one_id_are_accepted_once()
    {
        // Arrange
        var store = await dynalite.CreateStoreAsync(_clock);
        var delivery = Delivery("raced", Encoding.UTF8.GetBytes("{}"));

        // Act
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => store.Inbox.AcceptAsync(delivery, TestContext.Current.CancellationToken)));

        // Assert
        Assert.Single(outcomes, o => o == AcceptOutcome.Accepted);
        Assert.Equal(1, (await store.Jobs.GetStatsAsync(TestContext.Current.CancellationToken)).Pending);
    }

    [Fact]
    public async Task A_duplicate_whose_count_cannot_be_written_is_still_a_duplicate_and_the_failure_is_logged()
    {
        // Arrange: the delivery stored; then an inbox whose client has every UpdateItem throttled.
        var ct = TestContext.Current.CancellationToken;
        var options = dynalite.Options();
        var store = await dynalite.CreateStoreAsync(_clock, options);
        var delivery = Delivery("d-uncounted", Encoding.UTF8.GetBytes("{}"));
        await store.Inbox.AcceptAsync(delivery, ct);
        using var logs = new CapturedLogs();
        var inbox = new DynamoInbox(
            new DynamoClient(ThrottledUpdates.Wrap(dynalite.CreateClient())),
            DynamoSchema.TableName(options.DynamoDb, DynamoSchema.Inbox),
            DynamoSchema.TableName(options.DynamoDb, DynamoSchema.Jobs),
            options,
            _clock,
            logs.CreateLogger("inbox"));

        // Act
        var withJob = await inbox.AcceptAsync(delivery, ct);
        var withoutJob = await inbox.StoreWithoutJobAsync(delivery, ct);

        // Assert: answered as duplicates, the count lost and said so; the store's own inbox counts again.
        Assert.Equal([AcceptOutcome.Duplicate, AcceptOutcome.Duplicate], new[] { withJob, withoutJob });
        Assert.Equal(0, (await store.Operator.GetDeliveryAsync("d-uncounted", ct))!.Duplicates);
        Assert.Equal(2, logs.Entries.Count(e => e.EventId.Id == 660 && e.Level == LogLevel.Warning && e.Message.Contains("d-uncounted", StringComparison.Ordinal)));
        Assert.Equal(AcceptOutcome.Duplicate, await store.Inbox.AcceptAsync(delivery, ct));
        Assert.Equal(1, (await store.Operator.GetDeliveryAsync("d-uncounted", ct))!.Duplicates);
    }

    [Fact]
    public async Task Chunks_left_by_a_failed_attempt_are_never_read_as_part_of_the_delivery()
    {
        // Arrange: an earlier attempt wrote chunks under the same partition and never committed its header.
        var options = dynalite.Options();
        var store = await dynalite.CreateStoreAsync(_clock, options);
        using var client = dynalite.CreateClient();
        foreach (var n in new[] { 1, 2, 3 })
        {
            await client.PutItemAsync(
                new PutItemRequest
                {
                    TableName = options.DynamoDb.TablePrefix + "inbox",
                    Item = new()
                    {
                        ["pk"] = new() { S = DynamoInbox.PartitionKey("retried") },
                        ["sk"] = new() { S = DynamoInbox.ChunkSk("0" + Guid.NewGuid().ToString("N")[1..], n) },
                        ["data"] = new() { B = new MemoryStream(RandomNumberGenerator.GetBytes(1000)) },
                    },
                },
                TestContext.Current.CancellationToken);
        }

        var payload = RandomJson(1_200_000);

        // Act
        await store.Inbox.AcceptAsync(Delivery("retried", payload), TestContext.Current.CancellationToken);
        var stored = await store.Inbox.GetAsync("retried", TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal(payload, stored?.Payload);
    }

    [Fact]
    public async Task Every_inbox_item_expires_after_the_inbox_retention_from_receipt()
    {
        // Arrange
        var options = dynalite.Options();
        options.InboxRetention = TimeSpan.FromDays(3);
        var store = await dynalite.CreateStoreAsync(_clock, options);
        var delivery = Delivery("ttl", RandomJson(800_000));

        // Act
        await store.Inbox.AcceptAsync(delivery, TestContext.Current.CancellationToken);

        // Assert
        var items = await ItemsAsync(options, "ttl");
        Assert.True(items.Count > 1);
        var expected = (delivery.ReceivedAt + TimeSpan.FromDays(3)).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        Assert.All(items, i => Assert.Equal(expected, i[DynamoSchema.TimeToLive].N));
    }

    [Fact]
    public async Task A_missing_delivery_reads_as_null()
    {
        // Arrange
        var store = await dynalite.CreateStoreAsync(_clock);

        // Act
        var stored = await store.Inbox.GetAsync("never-sent", TestContext.Current.CancellationToken);

        // Assert
        Assert.Null(stored);
    }

    [Fact]
    public async Task A_store_whose_tables_are_missing_is_unavailable()
    {
        // Arrange: a prefix whose tables were never created.
        var options = dynalite.Options();
        options.DynamoDb.CreateTables = false;
        var store = await dynalite.CreateStoreAsync(_clock, options);

        // Act
        var accepting = store.Inbox.AcceptAsync(Delivery("lost", [1, 2, 3]), TestContext.Current.CancellationToken);

        // Assert
        await Assert.ThrowsAsync<StoreUnavailableException>(() => accepting);
        Assert.False(await store.Admin.IsReachableAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_store_that_does_not_answer_is_unavailable()
    {
        // Arrange: a port where nothing listens.
        var options = dynalite.Options();
        options.DynamoDb.ServiceUrl = "http://127.0.0.1:" + FreePort();
        options.DynamoDb.CreateTables = false;
        var store = await dynalite.CreateStoreAsync(_clock, options);

        // Act
        var accepting = store.Inbox.AcceptAsync(Delivery("nowhere", [1, 2, 3]), TestContext.Current.CancellationToken);

        // Assert
        await Assert.ThrowsAsync<StoreUnavailableException>(() => accepting);
        Assert.False(await store.Admin.IsReachableAsync(TestContext.Current.CancellationToken));
    }

    internal static byte[] RandomJson(int length)
    {
        var text = Convert.ToBase64String(RandomNumberGenerator.GetBytes(length * 3 / 4));
        return Encoding.UTF8.GetBytes("{\"blob\":\"" + text[..Math.Min(text.Length, length - 12)] + "\"}");
    }

    private WebhookDelivery Delivery(string id, byte[] payload) =>
        new(id, "issues", "opened", 42, _clock.GetUtcNow(), payload);

    private async Task<List<Dictionary<string, AttributeValue>>> ItemsAsync(StorageOptions options, string deliveryId)
    {
        using var client = dynalite.CreateClient();
        var response = await client.QueryAsync(
            new QueryRequest
            {
                TableName = options.DynamoDb.TablePrefix + "inbox",
                KeyConditionExpression = "pk = :pk",
                ExpressionAttributeValues = new() { [":pk"] = new() { S = DynamoInbox.PartitionKey(deliveryId) } },
                ProjectionExpression = "pk, sk, #e, expiresAt",
                ExpressionAttributeNames = new() { ["#e"] = "encoding" },
            },
            TestContext.Current.CancellationToken);
        return response.Items;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>IAmazonDynamoDB that forwards every call but UpdateItem, which DynamoDB throttles.</summary>
#pragma warning disable CA1852 // DispatchProxy derives the proxy type from this class, so it cannot be sealed.
    internal class ThrottledUpdates : DispatchProxy
#pragma warning restore CA1852
    {
        private IAmazonDynamoDB _inner = null!;

        public static IAmazonDynamoDB Wrap(IAmazonDynamoDB inner)
        {
            var proxy = Create<IAmazonDynamoDB, ThrottledUpdates>();
            ((ThrottledUpdates)(object)proxy)._inner = inner;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            return args?.FirstOrDefault() is UpdateItemRequest
                ? Task.FromException<UpdateItemResponse>(new ProvisionedThroughputExceededException("Rate of requests exceeds the allowed throughput."))
                : targetMethod.Invoke(_inner, args);
        }
    }
}
