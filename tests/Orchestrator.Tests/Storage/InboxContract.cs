using System.Security.Cryptography;
using System.Text;
using Orchestrator.Storage;

namespace Orchestrator.Tests.Storage;

/// <summary>The <see cref="IWebhookInbox"/> contract, shared by every store.</summary>
public abstract class InboxContract : StoreContract
{
    [Fact]
    public async Task A_new_delivery_is_accepted_and_stored_as_received()
    {
        // Arrange
        var store = await NewStoreAsync();
        var delivery = Delivery("d-1", """{"action":"opened","number":7}""", action: "opened", hookId: 123456);

        // Act
        var outcome = await store.Inbox.AcceptAsync(delivery, Ct);
        var stored = await store.Inbox.GetAsync("d-1", Ct);

        // Assert
        Assert.Equal(AcceptOutcome.Accepted, outcome);
        Assert.NotNull(stored);
        Assert.Equal(delivery.DeliveryId, stored.DeliveryId);
        Assert.Equal(delivery.Event, stored.Event);
        Assert.Equal("opened", stored.Action);
        Assert.Equal(123456, stored.HookId);
        Assert.Equal(delivery.ReceivedAt, stored.ReceivedAt);
        Assert.Equal(delivery.Payload, stored.Payload);
    }

    [Fact]
    public async Task A_delivery_stored_without_a_job_is_kept_deduplicated_and_has_no_job()
    {
        // Arrange
        var store = await NewStoreAsync();
        var delivery = Delivery("d-nojob", """{"action":"completed","workflow_job":{"id":1}}""", eventName: "workflow_job", action: "completed");

        // Act
        var first = await store.Inbox.StoreWithoutJobAsync(delivery, Ct);
        var again = await store.Inbox.StoreWithoutJobAsync(delivery, Ct);
        var stored = await store.Inbox.GetAsync("d-nojob", Ct);
        var stats = await store.Jobs.GetStatsAsync(Ct);

        // Assert: stored once, the redelivery a duplicate, and the queue untouched (its job key still free).
        Assert.Equal(AcceptOutcome.Accepted, first);
        Assert.Equal(AcceptOutcome.Duplicate, again);
        Assert.Equal(delivery.Payload, stored?.Payload);
        Assert.Equal(0, stats.Pending);
        Assert.True((await store.Jobs.EnqueueAsync(InboxJob.For(delivery), Ct)).Created);
    }

    [Fact]
    public async Task Missing_action_and_hook_id_are_stored_as_missing()
    {
        // Arrange
        var store = await NewStoreAsync();

        // Act
        await store.Inbox.AcceptAsync(Delivery("d-ping", """{"zen":"Keep it simple."}""", eventName: "ping"), Ct);
        var stored = await store.Inbox.GetAsync("d-ping", Ct);

        // Assert
        Assert.NotNull(stored);
        Assert.Equal("ping", stored.Event);
        Assert.Null(stored.Action);
        Assert.Null(stored.HookId);
    }

    [Fact]
    public async Task An_unknown_delivery_is_not_found()
    {
        // Arrange
        var store = await NewStoreAsync();

        // Act
        var stored = await store.Inbox.GetAsync("never-sent", Ct);

        // Assert
        Assert.Null(stored);
    }

    [Fact]
    public async Task Accepting_a_delivery_enqueues_one_processing_job_for_it()
    {
        // Arrange
        var store = await NewStoreAsync();
        var delivery = Delivery("d-2", "{}");

        // Act
        await store.Inbox.AcceptAsync(delivery, Ct);
        var claimed = await store.Jobs.ClaimAsync("worker-a", TimeSpan.FromMinutes(1), 10, Ct);

        // Assert
        var job = Assert.Single(claimed);
        Assert.Equal(InboxJob.Kind, job.Kind);
        Assert.Equal(InboxJob.For(delivery).IdempotencyKey, job.IdempotencyKey);
        Assert.Equal("d-2", job.Payload);
    }

    [Fact]
    public async Task A_duplicate_delivery_is_reported_and_has_no_second_effect()
    {
        // Arrange
        var store = await NewStoreAsync();
        await store.Inbox.AcceptAsync(Delivery("d-3", """{"first":true}"""), Ct);
        Clock.Advance(TimeSpan.FromMinutes(1));

        // Act
        var outcome = await store.Inbox.AcceptAsync(Delivery("d-3", """{"second":true}"""), Ct);

        // Assert
        Assert.Equal(AcceptOutcome.Duplicate, outcome);
        var stored = await store.Inbox.GetAsync("d-3", Ct);
        Assert.Equal("""{"first":true}"""u8.ToArray(), stored!.Payload);
        Assert.Equal(Start, stored.ReceivedAt);
        Assert.Equal(new JobQueueStats(1, 0, 0), await store.Jobs.GetStatsAsync(Ct));
    }

    [Fact]
    public async Task Five_concurrent_accepts_of_one_delivery_store_it_once_with_exactly_one_job()
    {
        // Arrange
        var store = await NewStoreAsync();
        var delivery = Delivery("d-4", """{"action":"created"}""", action: "created");

        // Act
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Task.Run(() => store.Inbox.AcceptAsync(delivery, Ct), Ct)));

        // Assert
        Assert.Single(outcomes, o => o == AcceptOutcome.Accepted);
        Assert.Equal(4, outcomes.Count(o => o == AcceptOutcome.Duplicate));
        Assert.NotNull(await store.Inbox.GetAsync("d-4", Ct));
        var jobs = await store.Jobs.ClaimAsync("worker-a", TimeSpan.FromMinutes(1), 10, Ct);
        Assert.Single(jobs);
    }

    [Fact]
    public async Task Many_concurrent_deliveries_are_each_stored_once_with_one_job_each()
    {
        // Arrange: 32 deliveries, each sent twice at the same time.
        var store = await NewStoreAsync();
        var deliveries = Enumerable.Range(0, 32).Select(i => Delivery($"d-many-{i}", $$"""{"n":{{i}}}""")).ToList();

        // Act
        var outcomes = await Task.WhenAll(
            deliveries.Concat(deliveries).Select(d => Task.Run(() => store.Inbox.AcceptAsync(d, Ct), Ct)));

        // Assert
        Assert.Equal(32, outcomes.Count(o => o == AcceptOutcome.Accepted));
        Assert.Equal(32, outcomes.Count(o => o == AcceptOutcome.Duplicate));
        foreach (var delivery in deliveries)
        {
            Assert.Equal(delivery.Payload, (await store.Inbox.GetAsync(delivery.DeliveryId, Ct))!.Payload);
        }

        var jobs = await store.Jobs.ClaimAsync("worker-a", TimeSpan.FromMinutes(1), 100, Ct);
        Assert.Equal(deliveries.Select(d => d.DeliveryId).Order(), jobs.Select(j => j.Payload).Order());
    }

    [Fact]
    public async Task A_payload_over_one_megabyte_round_trips_byte_for_byte()
    {
        // Arrange: random bytes do not compress, and include every byte value.
        var store = await NewStoreAsync();
        var payload = RandomNumberGenerator.GetBytes((3 * 1024 * 1024) / 2);
        var delivery = new WebhookDelivery("d-big", "push", null, 42, Clock.GetUtcNow(), payload);

        // Act
        await store.Inbox.AcceptAsync(delivery, Ct);
        var stored = await store.Inbox.GetAsync("d-big", Ct);

        // Assert
        Assert.NotNull(stored);
        Assert.Equal(payload.Length, stored.Payload.Length);
        Assert.True(payload.AsSpan().SequenceEqual(stored.Payload));
    }

    [Fact]
    public async Task A_delivery_is_kept_for_the_inbox_retention_and_gone_after_it()
    {
        // Arrange
        var store = await NewStoreAsync();
        await store.Inbox.AcceptAsync(Delivery("d-ttl", "{}"), Ct);

        // Act
        Clock.Advance(Defaults.InboxRetention - TimeSpan.FromMinutes(1));
        var beforeExpiry = await store.Inbox.GetAsync("d-ttl", Ct);
        Clock.Advance(TimeSpan.FromMinutes(2));
        var afterExpiry = await store.Inbox.GetAsync("d-ttl", Ct);

        // Assert
        Assert.NotNull(beforeExpiry);
        Assert.Null(afterExpiry);
    }

    [Fact]
    public async Task A_delivery_s_job_continues_the_trace_of_the_span_that_accepted_it()
    {
        // Arrange
        var store = await NewStoreAsync();
        string expected;

        // Act
        using (var span = Span())
        {
            expected = span.Id!;
            await store.Inbox.AcceptAsync(Delivery("d-traced", "{}"), Ct);
        }

        await store.Inbox.AcceptAsync(Delivery("d-plain", "{}"), Ct);
        var jobs = (await store.Jobs.ClaimAsync("worker", TimeSpan.FromMinutes(2), 10, Ct)).ToDictionary(j => j.Payload);

        // Assert
        Assert.Equal(expected, jobs["d-traced"].TraceParent);
        Assert.Null(jobs["d-plain"].TraceParent);
    }

    protected WebhookDelivery Delivery(string id, string json, string eventName = "issues", string? action = null, long? hookId = null) =>
        new(id, eventName, action, hookId, Clock.GetUtcNow(), Encoding.UTF8.GetBytes(json));
}
