using System.Globalization;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Storage;
using Orchestrator.Tests.Infrastructure;
using DynamoJobQueue = Orchestrator.Storage.DynamoDb.DynamoJobQueue;
using DynamoSchema = Orchestrator.Storage.DynamoDb.DynamoSchema;

namespace Orchestrator.Tests.Storage.DynamoDb;

/// <summary>Issue 14: no hot index key, fewer writes, and a delivery whose storing was cut short is recovered.</summary>
public sealed class DynamoShardingTests(DynaliteServer dynalite)
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-25T09:00:00Z", CultureInfo.InvariantCulture));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Pending_jobs_spread_over_every_shard_and_a_claim_still_takes_them_oldest_first()
    {
        // Arrange: 64 jobs due one second apart, newest enqueued first.
        var options = dynalite.Options();
        var store = await dynalite.CreateStoreAsync(_clock, options);
        var start = _clock.GetUtcNow().AddMinutes(-5);
        var ids = new List<string>();
        for (var i = 63; i >= 0; i--)
        {
            ids.Insert(0, (await store.Jobs.EnqueueAsync(new JobRequest("k", $"spread-{i}", "{}", start.AddSeconds(i)), Ct)).JobId);
        }

        // Act
        var claimed = await store.Jobs.ClaimAsync("w1", Lease, 10, Ct);

        // Assert
        using var client = dynalite.CreateClient();
        var queues = (await client.ScanAsync(new ScanRequest { TableName = options.DynamoDb.TablePrefix + "jobs" }, Ct)).Items.Select(i => i["queue"].S).ToHashSet();
        Assert.True(queues.Count >= 12, $"64 jobs used only {queues.Count} of the {DynamoSchema.Shards} shards");
        Assert.All(queues, q => Assert.Matches("^pending#[0-9a-f]$", q));
        Assert.Equal(ids.Take(10), claimed.Select(j => j.Id));
    }

    [Fact]
    public async Task A_claimed_job_keeps_its_index_entry_untouched_and_a_poller_skips_it_until_the_lease_expires()
    {
        // Arrange
        var options = dynalite.Options();
        var store = await dynalite.CreateStoreAsync(_clock, options);
        var enqueued = await store.Jobs.EnqueueAsync(new JobRequest("k", "held", "{}"), Ct);
        var before = await EntryAsync(options, "held");

        // Act
        var first = Assert.Single(await store.Jobs.ClaimAsync("w1", Lease, 5, Ct));
        var after = await EntryAsync(options, "held");
        var whileHeld = await store.Jobs.ClaimAsync("w2", Lease, 5, Ct);
        _clock.Advance(Lease);
        var afterExpiry = await store.Jobs.ClaimAsync("w2", Lease, 5, Ct);

        // Assert: the same index entry, keys only (a claim writes no index entry), and the lease respected.
        Assert.Equal(before, after, (a, b) => a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var v) && v.S == p.Value.S));
        Assert.Equal(["dueAt", "pk", "queue"], after.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("w1", first.LeaseOwner);
        Assert.Empty(whileHeld);
        Assert.Equal("w2", Assert.Single(afterExpiry).LeaseOwner);
    }

    [Fact]
    public async Task A_delivery_stored_without_its_job_gets_the_job_from_the_redelivery()
    {
        // Arrange: the process stopped between the header and the job (the job is deleted to stand for that).
        var options = dynalite.Options();
        var store = await dynalite.CreateStoreAsync(_clock, options);
        var delivery = new WebhookDelivery("cut-short", "issues", "opened", 1, _clock.GetUtcNow(), """{"n":1}"""u8.ToArray());
        await store.Inbox.AcceptAsync(delivery, Ct);
        await DeleteJobOfAsync(options, delivery);
        _clock.Advance(TimeSpan.FromMinutes(3));

        // Act
        var redelivered = await store.Inbox.AcceptAsync(delivery with { ReceivedAt = _clock.GetUtcNow() }, Ct);
        var again = await store.Inbox.AcceptAsync(delivery with { ReceivedAt = _clock.GetUtcNow() }, Ct);

        // Assert
        Assert.Equal(AcceptOutcome.Accepted, redelivered);
        Assert.Equal(AcceptOutcome.Duplicate, again);
        Assert.Equal("cut-short", Assert.Single(await store.Jobs.ClaimAsync("w1", Lease, 5, Ct)).Payload);
    }

    [Fact]
    public async Task A_redelivery_after_the_completed_job_retention_is_a_duplicate_even_when_the_job_is_gone()
    {
        // Arrange: accepted, processed, and its job expired and deleted by DynamoDB's TTL since.
        var options = dynalite.Options();
        var store = await dynalite.CreateStoreAsync(_clock, options);
        var delivery = new WebhookDelivery("old", "issues", "opened", 1, _clock.GetUtcNow(), """{"n":2}"""u8.ToArray());
        await store.Inbox.AcceptAsync(delivery, Ct);
        await store.Jobs.CompleteAsync(Assert.Single(await store.Jobs.ClaimAsync("w1", Lease, 5, Ct)), Ct);
        await DeleteJobOfAsync(options, delivery);
        _clock.Advance(options.CompletedJobRetention + TimeSpan.FromHours(1));

        // Act
        var outcome = await store.Inbox.AcceptAsync(delivery with { ReceivedAt = _clock.GetUtcNow() }, Ct);

        // Assert
        Assert.Equal(AcceptOutcome.Duplicate, outcome);
        Assert.Empty(await store.Jobs.ClaimAsync("w1", Lease, 5, Ct));
    }

    private async Task DeleteJobOfAsync(StorageOptions options, WebhookDelivery delivery)
    {
        using var client = dynalite.CreateClient();
        await client.DeleteItemAsync(
            new DeleteItemRequest
            {
                TableName = options.DynamoDb.TablePrefix + "jobs",
                Key = new() { ["pk"] = new() { S = "job#" + DynamoJobQueue.KeyHash(InboxJob.For(delivery).IdempotencyKey) } },
            },
            Ct);
    }

    private async Task<Dictionary<string, AttributeValue>> EntryAsync(StorageOptions options, string idempotencyKey)
    {
        using var client = dynalite.CreateClient();
        var response = await client.QueryAsync(
            new QueryRequest
            {
                TableName = options.DynamoDb.TablePrefix + "jobs",
                IndexName = "due",
                KeyConditionExpression = "#q = :q",
                ExpressionAttributeNames = new() { ["#q"] = "queue" },
                ExpressionAttributeValues = new() { [":q"] = new() { S = DynamoJobQueue.PendingQueue(idempotencyKey) } },
            },
            Ct);
        return Assert.Single(response.Items);
    }
}
