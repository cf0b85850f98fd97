using System.Security.Cryptography;
using System.Text;
using Orchestrator.Storage;

namespace Orchestrator.Tests.Storage;

/// <summary>The <see cref="IOperatorStore"/> contract (what the CLI and dashboard read), shared by every store.</summary>
public abstract class OperatorStoreContract : StoreContract
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Deliveries_since_a_time_are_listed_newest_first_without_their_payload()
    {
        // Arrange: one delivery a minute, the first before the window.
        var store = await NewStoreAsync();
        for (var minute = 0; minute < 4; minute++)
        {
            var body = Encoding.UTF8.GetBytes($$"""{"action":"opened","n":{{minute}}}""");
            await store.Inbox.AcceptAsync(new WebhookDelivery($"d-{minute}", "issues", "opened", 42, Start.AddMinutes(minute), body), Ct);
        }

        await store.Inbox.AcceptAsync(new WebhookDelivery("d-ping", "ping", null, null, Start.AddMinutes(5), "{}"u8.ToArray()), Ct);

        // Act
        var listed = await store.Operator.ListDeliveriesAsync(Start.AddMinutes(1), 3, Ct);

        // Assert
        Assert.Equal(["d-ping", "d-3", "d-2"], listed.Select(d => d.DeliveryId));
        Assert.Equal(new DeliverySummary("d-3", "issues", "opened", 42, Start.AddMinutes(3), """{"action":"opened","n":3}""".Length), listed[1]);
        Assert.Null(listed[0].Action);
        Assert.Null(listed[0].HookId);
    }

    [Fact]
    public async Task Expired_deliveries_are_not_listed()
    {
        // Arrange
        var store = await NewStoreAsync();
        await store.Inbox.AcceptAsync(new WebhookDelivery("d-old", "ping", null, null, Start, "{}"u8.ToArray()), Ct);
        Clock.Advance(Defaults.InboxRetention + TimeSpan.FromMinutes(1));
        await store.Inbox.AcceptAsync(new WebhookDelivery("d-new", "ping", null, null, Clock.GetUtcNow(), "{}"u8.ToArray()), Ct);

        // Act
        var listed = await store.Operator.ListDeliveriesAsync(Start.AddDays(-1), 10, Ct);

        // Assert
        Assert.Equal(["d-new"], listed.Select(d => d.DeliveryId));
    }

    [Fact]
    public async Task A_delivery_received_twice_more_counts_two_duplicates_and_the_last_time()
    {
        // Arrange: stored once, then received again with and without a job (the endpoint stores unrouted events
        // without one), each a minute later; another delivery never repeated.
        var store = await NewStoreAsync();
        await store.Inbox.AcceptAsync(new WebhookDelivery("d-dup", "issues", "opened", 42, Start, """{"first":true}"""u8.ToArray()), Ct);
        await store.Inbox.AcceptAsync(new WebhookDelivery("d-once", "issues", "opened", 42, Start, "{}"u8.ToArray()), Ct);
        Clock.Advance(TimeSpan.FromMinutes(1));
        var second = await store.Inbox.AcceptAsync(new WebhookDelivery("d-dup", "issues", "opened", 42, Clock.GetUtcNow(), """{"second":true}"""u8.ToArray()), Ct);
        Clock.Advance(TimeSpan.FromMinutes(1));
        var third = await store.Inbox.StoreWithoutJobAsync(new WebhookDelivery("d-dup", "issues", "opened", 42, Clock.GetUtcNow(), """{"third":true}"""u8.ToArray()), Ct);

        // Act
        var listed = await store.Operator.ListDeliveriesAsync(Start.AddDays(-1), 10, Ct);
        var shown = await store.Operator.GetDeliveryAsync("d-dup", Ct);

        // Assert: the stored delivery is the first one, and knows it was received twice more, last at Start + 2 min.
        Assert.Equal([AcceptOutcome.Duplicate, AcceptOutcome.Duplicate], new[] { second, third });
        var expected = new DeliverySummary("d-dup", "issues", "opened", 42, Start, """{"first":true}""".Length, 2, Start.AddMinutes(2));
        Assert.Equal(expected, Assert.Single(listed, d => d.DeliveryId == "d-dup"));
        Assert.Equal(expected, shown);
        var once = Assert.Single(listed, d => d.DeliveryId == "d-once");
        Assert.Equal((0, (DateTimeOffset?)null), (once.Duplicates, once.LastDuplicateAt));
        Assert.Null(await store.Operator.GetDeliveryAsync("d-never", Ct));
    }

    [Fact]
    public async Task Concurrent_and_chunked_redeliveries_are_each_counted_once()
    {
        // Arrange: one small delivery sent five times at once; one large enough to be stored in chunks sent twice.
        var store = await NewStoreAsync();
        var small = new WebhookDelivery("d-race", "issues", "opened", null, Start, "{}"u8.ToArray());
        var large = new WebhookDelivery("d-large", "push", null, null, Start, RandomNumberGenerator.GetBytes(400_000));

        // Act
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Task.Run(() => store.Inbox.AcceptAsync(small, Ct), Ct)));
        await store.Inbox.AcceptAsync(large, Ct);
        var again = await store.Inbox.AcceptAsync(large, Ct);
        var listed = await store.Operator.ListDeliveriesAsync(Start.AddDays(-1), 10, Ct);

        // Assert
        Assert.Equal(4, outcomes.Count(o => o == AcceptOutcome.Duplicate));
        Assert.Equal(AcceptOutcome.Duplicate, again);
        Assert.Equal(4, Assert.Single(listed, d => d.DeliveryId == "d-race").Duplicates);
        Assert.Equal(1, Assert.Single(listed, d => d.DeliveryId == "d-large").Duplicates);
    }

    [Fact]
    public async Task A_delivery_stored_anew_after_its_retention_starts_without_duplicates()
    {
        // Arrange: received twice, then again once the first copy expired.
        var store = await NewStoreAsync();
        await store.Inbox.AcceptAsync(new WebhookDelivery("d-again", "ping", null, null, Start, "{}"u8.ToArray()), Ct);
        await store.Inbox.AcceptAsync(new WebhookDelivery("d-again", "ping", null, null, Start, "{}"u8.ToArray()), Ct);
        Clock.Advance(Defaults.InboxRetention + TimeSpan.FromMinutes(1));
        var later = Clock.GetUtcNow();

        // Act
        await store.Inbox.StoreWithoutJobAsync(new WebhookDelivery("d-again", "ping", null, null, later, "{}"u8.ToArray()), Ct);
        var shown = await store.Operator.GetDeliveryAsync("d-again", Ct);

        // Assert
        Assert.Equal(new DeliverySummary("d-again", "ping", null, null, later, 2, 0, null), shown);
    }

    [Fact]
    public async Task Waiting_jobs_are_listed_by_state_in_the_order_an_operator_reads_them()
    {
        // Arrange: three pending (due in reverse order of creation), one leased, two dead letters and one completed.
        var store = await NewStoreAsync();
        await store.Jobs.EnqueueAsync(new JobRequest("k", "p-late", "{}", Start.AddMinutes(30)), Ct);
        await store.Jobs.EnqueueAsync(new JobRequest("k", "p-soon", "{}", Start.AddMinutes(20)), Ct);
        await store.Jobs.EnqueueAsync(new JobRequest("k", "work", "{}"), Ct);
        var leased = Assert.Single(await store.Jobs.ClaimAsync("worker", Lease, 1, Ct));
        await store.Jobs.EnqueueAsync(new JobRequest("k", "dead-1", "{}"), Ct);
        await DeadLetterAsync(store, "first failure");
        Clock.Advance(TimeSpan.FromSeconds(1));
        await store.Jobs.EnqueueAsync(new JobRequest("k", "dead-2", "{}"), Ct);
        await DeadLetterAsync(store, "second failure");
        await store.Jobs.EnqueueAsync(new JobRequest("k", "done", "{}"), Ct);
        await store.Jobs.CompleteAsync(Assert.Single(await store.Jobs.ClaimAsync("worker", Lease, 1, Ct)), Ct);
        await store.Jobs.EnqueueAsync(new JobRequest("k", "p-now", "{}", Start.AddMinutes(10)), Ct);

        // Act
        var pending = await store.Operator.ListJobsAsync(JobState.Pending, 10, Ct);
        var leasedJobs = await store.Operator.ListJobsAsync(JobState.Leased, 10, Ct);
        var dead = await store.Operator.ListJobsAsync(JobState.DeadLettered, 10, Ct);
        var firstPending = await store.Operator.ListJobsAsync(JobState.Pending, 1, Ct);

        // Assert
        Assert.Equal(["p-now", "p-soon", "p-late"], pending.Select(j => j.IdempotencyKey));
        Assert.Equal([leased.Id], leasedJobs.Select(j => j.Id));
        Assert.Equal("worker", leasedJobs[0].LeaseOwner);
        Assert.Equal(["dead-2", "dead-1"], dead.Select(j => j.IdempotencyKey));
        Assert.Equal("second failure", dead[0].LastError);
        Assert.Equal(["p-now"], firstPending.Select(j => j.IdempotencyKey));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.Operator.ListJobsAsync(JobState.Completed, 10, Ct));
    }

    [Fact]
    public async Task A_delivery_processing_job_is_found_by_its_idempotency_key()
    {
        // Arrange
        var store = await NewStoreAsync();
        var delivery = new WebhookDelivery("d-1", "ping", null, null, Start, "{}"u8.ToArray());
        await store.Inbox.AcceptAsync(delivery, Ct);

        // Act
        var job = await store.Operator.FindJobByKeyAsync(InboxJob.For(delivery).IdempotencyKey, Ct);
        var none = await store.Operator.FindJobByKeyAsync("delivery:never-sent", Ct);

        // Assert
        Assert.NotNull(job);
        Assert.Equal(InboxJob.Kind, job.Kind);
        Assert.Equal("d-1", job.Payload);
        Assert.Equal(JobState.Pending, job.State);
        Assert.Null(none);
    }

    [Fact]
    public async Task Listed_and_found_jobs_carry_the_trace_context_they_were_enqueued_in()
    {
        // Arrange
        var store = await NewStoreAsync();
        string expected;
        using (var span = Span())
        {
            expected = span.Id!;
            await store.Jobs.EnqueueAsync(new JobRequest("k", "traced", "{}"), Ct);
        }

        await store.Jobs.EnqueueAsync(new JobRequest("k", "plain", "{}", Start.AddMinutes(1)), Ct);

        // Act
        var pending = (await store.Operator.ListJobsAsync(JobState.Pending, 10, Ct)).ToDictionary(j => j.IdempotencyKey);
        var found = await store.Operator.FindJobByKeyAsync("traced", Ct);

        // Assert
        Assert.Equal(expected, pending["traced"].TraceParent);
        Assert.Null(pending["plain"].TraceParent);
        Assert.Equal(expected, found?.TraceParent);
    }

    [Fact]
    public async Task A_dead_letter_retried_is_claimable_again_with_its_attempts_reset_once()
    {
        // Arrange
        var store = await NewStoreAsync();
        await store.Jobs.EnqueueAsync(new JobRequest("k", "dead", "{}"), Ct);
        var dead = await DeadLetterAsync(store, "boom");
        await store.Jobs.EnqueueAsync(new JobRequest("k", "pending", "{}", Start.AddHours(1)), Ct);
        var pending = Assert.Single(await store.Operator.ListJobsAsync(JobState.Pending, 10, Ct));
        Clock.Advance(TimeSpan.FromMinutes(5));

        // Act
        var retried = await store.Operator.RetryDeadLetterAsync(dead.Id, Ct);
        var again = await store.Operator.RetryDeadLetterAsync(dead.Id, Ct);
        var notDead = await store.Operator.RetryDeadLetterAsync(pending.Id, Ct);
        var unknown = await store.Operator.RetryDeadLetterAsync("no-such-job", Ct);
        var claimed = await store.Jobs.ClaimAsync("worker", Lease, 5, Ct);

        // Assert
        Assert.True(retried);
        Assert.False(again);
        Assert.False(notDead);
        Assert.False(unknown);
        var job = Assert.Single(claimed);
        Assert.Equal(dead.Id, job.Id);
        Assert.Equal(1, job.Attempts);
        Assert.Equal("boom", job.LastError);
        Assert.Empty(await store.Operator.ListJobsAsync(JobState.DeadLettered, 10, Ct));
        Assert.Equal(0, (await store.Jobs.GetStatsAsync(Ct)).DeadLettered);
    }

    /// <summary>Claims the one due job and fails it without a retry.</summary>
    private static async Task<Job> DeadLetterAsync(IStoreBackend store, string error)
    {
        var job = Assert.Single(await store.Jobs.ClaimAsync("worker", Lease, 1, Ct));
        Assert.True(await store.Jobs.FailAsync(job, error, retryAt: null, Ct));
        return job;
    }
}
