using System.Collections.Concurrent;
using System.Diagnostics;
using Orchestrator.Storage;

namespace Orchestrator.Tests.Storage;

/// <summary>The <see cref="IJobQueue"/> contract, shared by every store.</summary>
public abstract class JobQueueContract : StoreContract
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task An_enqueued_job_is_pending_and_due_now_when_no_due_time_is_given()
    {
        // Arrange
        var store = await NewStoreAsync();

        // Act
        var result = await store.Jobs.EnqueueAsync(new JobRequest("test.kind", "key-1", """{"n":1}"""), Ct);
        var job = await store.Jobs.GetAsync(result.JobId, Ct);

        // Assert
        Assert.True(result.Created);
        Assert.Equal(new Job(result.JobId, "test.kind", "key-1", """{"n":1}""", JobState.Pending, Start, Start, 0, null, null, null), job);
    }

    [Fact]
    public async Task A_job_enqueued_in_a_span_keeps_its_trace_context_and_one_enqueued_outside_any_span_has_none()
    {
        // Arrange
        var store = await NewStoreAsync();
        string traced, hierarchical;
        using (Span())
        {
            traced = (await store.Jobs.EnqueueAsync(new JobRequest("test.kind", "traced", "{}"), Ct)).JobId;
        }

        var plain = (await store.Jobs.EnqueueAsync(new JobRequest("test.kind", "plain", "{}"), Ct)).JobId;
        using (Span(ActivityIdFormat.Hierarchical))
        {
            hierarchical = (await store.Jobs.EnqueueAsync(new JobRequest("test.kind", "hierarchical", "{}"), Ct)).JobId;
        }

        // Act
        var stored = await store.Jobs.GetAsync(traced, Ct);
        var claimed = (await store.Jobs.ClaimAsync("worker-a", Lease, 10, Ct)).ToDictionary(j => j.Id);
        await store.Jobs.FailAsync(claimed[traced], "boom", retryAt: null, Ct);
        var dead = Assert.Single(await store.Jobs.ListDeadLetteredAsync(10, Ct));

        // Assert
        Assert.Null(Activity.Current);
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$", stored!.TraceParent);
        Assert.Equal(stored.TraceParent, claimed[traced].TraceParent);
        Assert.Equal(stored.TraceParent, dead.TraceParent);
        Assert.Null(claimed[plain].TraceParent);
        Assert.Null(claimed[hierarchical].TraceParent);
    }

    [Fact]
    public async Task The_trace_context_is_the_enqueuing_span_s_and_a_deduplicated_enqueue_keeps_the_first()
    {
        // Arrange
        var store = await NewStoreAsync();
        string first, expected;
        using (var span = Span())
        {
            expected = span.Id!;
            first = (await store.Jobs.EnqueueAsync(new JobRequest("test.kind", "dedup", "{}"), Ct)).JobId;
        }

        // Act
        using (Span())
        {
            await store.Jobs.EnqueueAsync(new JobRequest("test.kind", "dedup", "{}"), Ct);
        }

        var claimed = Assert.Single(await store.Jobs.ClaimAsync("worker-a", Lease, 10, Ct));
        var byId = await store.Jobs.ClaimByIdAsync(first, "worker-b", Lease, Ct);
        Clock.Advance(Lease);
        var again = await store.Jobs.ClaimByIdAsync(first, "worker-b", Lease, Ct);

        // Assert
        Assert.Equal(first, claimed.Id);
        Assert.Equal(expected, claimed.TraceParent);
        Assert.Null(byId);
        Assert.Equal(expected, again?.TraceParent);
    }

    [Fact]
    public async Task A_job_replacing_an_expired_one_of_its_key_has_its_own_trace_context()
    {
        // Arrange: a completed job enqueued in a span, kept past its retention.
        var store = await NewStoreAsync();
        using (Span())
        {
            await store.Jobs.EnqueueAsync(new JobRequest("test.kind", "reused", "{}"), Ct);
        }

        await store.Jobs.CompleteAsync(Assert.Single(await store.Jobs.ClaimAsync("worker-a", Lease, 10, Ct)), Ct);
        Clock.Advance(Defaults.CompletedJobRetention + TimeSpan.FromMinutes(1));

        // Act
        var replaced = await store.Jobs.EnqueueAsync(new JobRequest("test.kind", "reused", "{}"), Ct);
        var claimed = Assert.Single(await store.Jobs.ClaimAsync("worker-a", Lease, 10, Ct));

        // Assert
        Assert.True(replaced.Created);
        Assert.Equal(replaced.JobId, claimed.Id);
        Assert.Null(claimed.TraceParent);
    }

    [Fact]
    public async Task Enqueueing_the_same_idempotency_key_twice_yields_one_job()
    {
        // Arrange
        var store = await NewStoreAsync();
        var first = await store.Jobs.EnqueueAsync(new JobRequest("test.kind", "key-2", "first"), Ct);

        // Act
        var second = await store.Jobs.EnqueueAsync(new JobRequest("test.kind", "key-2", "second"), Ct);

        // Assert
        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Equal(first.JobId, second.JobId);
        Assert.Equal("first", (await store.Jobs.GetAsync(first.JobId, Ct))!.Payload);
        Assert.Equal(new JobQueueStats(1, 0, 0), await store.Jobs.GetStatsAsync(Ct));
    }

    [Fact]
    public async Task Job_ids_sort_in_the_order_the_jobs_were_created()
    {
        // Arrange
        var store = await NewStoreAsync();
        var ids = new List<string>();

        // Act
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await store.Jobs.EnqueueAsync(new JobRequest("test.kind", $"order-{i}", "{}"), Ct)).JobId);
            Clock.Advance(TimeSpan.FromMilliseconds(5));
        }

        // Assert
        Assert.Equal(ids, ids.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_unknown_job_is_not_found()
    {
        // Arrange
        var store = await NewStoreAsync();

        // Act
        var job = await store.Jobs.GetAsync("01JUNKNOWN0000000000000000", Ct);

        // Assert
        Assert.Null(job);
    }

    [Fact]
    public async Task A_job_is_not_claimed_before_it_is_due()
    {
        // Arrange
        var store = await NewStoreAsync();
        var later = await store.Jobs.EnqueueAsync(new JobRequest("test.kind", "later", "{}", Start.AddMinutes(10)), Ct);

        // Act
        var early = await store.Jobs.ClaimAsync("worker-a", Lease, 10, Ct);
        Clock.Advance(TimeSpan.FromMinutes(10));
        var onTime = await store.Jobs.ClaimAsync("worker-a", Lease, 10, Ct);

        // Assert
        Assert.Empty(early);
        Assert.Equal(later.JobId, Assert.Single(onTime).Id);
    }

    [Fact]
    public async Task Jobs_are_claimed_oldest_due_first_up_to_the_requested_number()
    {
        // Arrange: enqueued in an order that differs from their due order.
        var store = await NewStoreAsync();
        var second = await store.Jobs.EnqueueAsync(new JobRequest("test.kind", "due-2", "{}", Start.AddMinutes(-2)), Ct);
        var third = await store.Jobs.EnqueueAsync(new JobRequest("test.kind", "due-1", "{}", Start.AddMinutes(-1)), Ct);
        var first = await store.Jobs.EnqueueAsync(new JobRequest("test.kind", "due-3", "{}", Start.AddMinutes(-3)), Ct);

        // Act
        var batch = await store.Jobs.ClaimAsync("worker-a", Lease, 2, Ct);
        var rest = await store.Jobs.ClaimAsync("worker-a", Lease, 2, Ct);

        // Assert
        Assert.Equal([first.JobId, second.JobId], batch.Select(j => j.Id));
        Assert.Equal([third.JobId], rest.Select(j => j.Id));
    }

    [Fact]
    public async Task Claiming_leases_the_job_to_its_owner_and_counts_an_attempt()
    {
        // Arrange
        var store = await NewStoreAsync();
        var enqueued = await store.Jobs.EnqueueAsync(new JobRequest("test.kind", "lease", "{}"), Ct);

        // Act
        var claimed = Assert.Single(await store.Jobs.ClaimAsync("worker-a", Lease, 10, Ct));
        var byOther = await store.Jobs.ClaimAsync("worker-b", Lease, 10, Ct);
        var stored = await store.Jobs.GetAsync(enqueued.JobId, Ct);

        // Assert
        Assert.Equal(JobState.Leased, claimed.State);
        Assert.Equal("worker-a", claimed.LeaseOwner);
        Assert.Equal(Start + Lease, claimed.LeaseExpiresAt);
        Assert.Equal(1, claimed.Attempts);
        Assert.Empty(byOther);
        Assert.Equal(claimed, stored);
    }

    [Fact]
    public async Task Two_concurrent_claimers_never_get_the_same_job()
    {
        // Arrange
        var store = await NewStoreAsync();
        const int count = 60;
        for (var i = 0; i < count; i++)
        {
            await store.Jobs.EnqueueAsync(new JobRequest("test.kind", $"race-{i}", "{}"), Ct);
        }

        var claims = new ConcurrentBag<string>();

        async Task ClaimUntilEmptyAsync(string owner)
        {
            // Bounded: a store that hands held jobs out again must fail this test, not loop forever.
            for (var round = 0; round < count; round++)
            {
                var jobs = await store.Jobs.ClaimAsync(owner, Lease, 3, Ct);
                if (jobs.Count == 0)
                {
                    return;
                }

                foreach (var job in jobs)
                {
                    claims.Add(job.Id);
                }
            }
        }

        // Act
        await Task.WhenAll(Task.Run(() => ClaimUntilEmptyAsync("worker-a"), Ct), Task.Run(() => ClaimUntilEmptyAsync("worker-b"), Ct));

        // Assert
        Assert.Equal(count, claims.Count);
        Assert.Equal(count, claims.Distinct().Count());
    }

    [Fact]
    public async Task An_expired_lease_makes_the_job_claimable_again_and_the_old_owner_loses_it()
    {
        // Arrange
        var store = await NewStoreAsync();
        await store.Jobs.EnqueueAsync(new JobRequest("test.kind", "expiring", "{}"), Ct);
        var first = Assert.Single(await store.Jobs.ClaimAsync("worker-a", Lease, 10, Ct));

        // Act
        Clock.Advance(Lease - TimeSpan.FromSeconds(1));
        var whileHeld = await store.Jobs.ClaimAsync("worker-b", Lease, 10, Ct);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var second = Assert.Single(await store.Jobs.ClaimAsync("worker-b", Lease, 10, Ct));
        var oldOwnerCompleted = await store.Jobs.CompleteAsync(first, Ct);
        var newOwnerCompleted = await store.Jobs.CompleteAsync(second, Ct);

        // Assert
        Assert.Empty(whileHeld);
        Assert.Equal(first.Id, second.Id);
        Assert.Equal(2, second.Attempts);
        Assert.Equal("worker-b", second.LeaseOwner);
        Assert.False(oldOwnerCompleted);
        Assert.True(newOwnerCompleted);
    }

    [Fact]
    public async Task An_owner_whose_expired_lease_it_took_again_cannot_complete_with_the_old_claim()
    {
        // Arrange: the same worker claims the job twice (its first run outlived the lease).
        var store = await NewStoreAsync();
        await store.Jobs.EnqueueAsync(new JobRequest("test.kind", "same-owner", "{}"), Ct);
        var first = Assert.Single(await store.Jobs.ClaimAsync("worker-a", Lease, 10, Ct));
        Clock.Advance(Lease);
        var second = Assert.Single(await store.Jobs.ClaimAsync("worker-a", Lease, 10, Ct));

        // Act
        var staleCompleted = await store.Jobs.CompleteAsync(first, Ct);
        var stored = await store.Jobs.GetAsync(first.Id, Ct);

        // Assert
        Assert.False(staleCompleted);
        Assert.Equal(JobState.Leased, stored!.State);
        Assert.Equal(second.Attempts, stored.Attempts);
    }

    [Fact]
    public async Task Completing_a_leased_job_marks_it_completed_and_it_is_never_claimed_again()
    {
        // Arrange
        var store = await NewStoreAsync();
        await store.Jobs.EnqueueAsync(new JobRequest("test.kind", "complete", "{}"), Ct);
        var job = Assert.Single(await store.Jobs.ClaimAsync("worker-a", Lease, 10, Ct));

        // Act
        var completed = await store.Jobs.CompleteAsync(job, Ct);
        var again = await store.Jobs.CompleteAsync(job, Ct);
        Clock.Advance(TimeSpan.FromHours(1));
        var claimedLater = await store.Jobs.ClaimAsync("worker-b", Lease, 10, Ct);

        // Assert
        Assert.True(completed);
        Assert.False(again);
        Assert.Equal(JobState.Completed, (await store.Jobs.GetAsync(job.Id, Ct))!.State);
        Assert.Empty(claimedLater);
        Assert.Equal(new JobQueueStats(0, 0, 0), await store.Jobs.GetStatsAsync(Ct));
    }

    [Fact]
    public async Task Nobody_but_the_lease_owner_can_complete_fail_or_release_a_job()
    {
        // Arrange
        var store = await NewStoreAsync();
        await store.Jobs.EnqueueAsync(new JobRequest("test.kind", "stranger", "{}"), Ct);
        var job = Assert.Single(await store.Jobs.ClaimAsync("worker-a", Lease, 10, Ct));
        var stranger = job with { LeaseOwner = "worker-b" };

        // Act
        var completed = await store.Jobs.CompleteAsync(stranger, Ct);
        var failed = await store.Jobs.FailAsync(stranger, "boom", null, Ct);
        var released = await store.Jobs.ReleaseAsync(stranger, Ct);

        // Assert
        Assert.False(completed);
        Assert.False(failed);
        Assert.False(released);
        Assert.Equal(job, await store.Jobs.GetAsync(job.Id, Ct));
    }

    [Fact]
    public async Task A_job_that_is_not_leased_cannot_be_completed()
    {
        // Arrange
        var store = await NewStoreAsync();
        var enqueued = await store.Jobs.EnqueueAsync(new JobRequest("test.kind", "never-claimed", "{}"), Ct);
        var pending = (await store.Jobs.GetAsync(enqueued.JobId, Ct))!;

        // Act
        var completed = await store.Jobs.CompleteAsync(pending, Ct);

        // Assert
        Assert.False(completed);
        Assert.Equal(JobState.Pending, (await store.Jobs.GetAsync(enqueued.JobId, Ct))!.State);
    }

    [Fact]
    public async Task A_failed_job_with_a_retry_time_is_pending_again_at_that_time_with_its_error()
    {
        // Arrange
        var store = await NewStoreAsync();
        await store.Jobs.EnqueueAsync(new JobRequest("test.kind", "retry", "{}"), Ct);
        var job = Assert.Single(await store.Jobs.ClaimAsync("worker-a", Lease, 10, Ct));
        var retryAt = Start.AddSeconds(30);

        // Act
        var failed = await store.Jobs.FailAsync(job, "HttpRequestException: 502", retryAt, Ct);
        var stored = await store.Jobs.GetAsync(job.Id, Ct);
        Clock.Advance(TimeSpan.FromSeconds(29));
        var early = await store.Jobs.ClaimAsync("worker-a", Lease, 10, Ct);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var retried = Assert.Single(await store.Jobs.ClaimAsync("worker-a", Lease, 10, Ct));

        // Assert
        Assert.True(failed);
        Assert.Equal(JobState.Pending, stored!.State);
        Assert.Equal(retryAt, stored.DueAt);
        Assert.Equal("HttpRequestException: 502", stored.LastError);
        Assert.Null(stored.LeaseOwner);
        Assert.Null(stored.LeaseExpiresAt);
        Assert.Empty(early);
        Assert.Equal(2, retried.Attempts);
        Assert.Equal("HttpRequestException: 502", retried.LastError);
    }

    [Fact]
    public async Task A_failed_job_without_a_retry_time_is_dead_lettered_and_listed()
    {
        // Arrange
        var store = await NewStoreAsync();
        await store.Jobs.EnqueueAsync(new JobRequest("test.kind", "dead", "{}"), Ct);
        var job = Assert.Single(await store.Jobs.ClaimAsync("worker-a", Lease, 10, Ct));

        // Act
        var failed = await store.Jobs.FailAsync(job, "PermanentJobFailureException: corrupt", null, Ct);
        Clock.Advance(TimeSpan.FromDays(1));
        var claimedLater = await store.Jobs.ClaimAsync("worker-a", Lease, 10, Ct);
        var dead = await store.Jobs.ListDeadLetteredAsync(10, Ct);

        // Assert
        Assert.True(failed);
        Assert.Empty(claimedLater);
        var listed = Assert.Single(dead);
        Assert.Equal(job.Id, listed.Id);
        Assert.Equal(JobState.DeadLettered, listed.State);
        Assert.Equal("PermanentJobFailureException: corrupt", listed.LastError);
        Assert.Null(listed.LeaseOwner);
        Assert.Equal(new JobQueueStats(0, 0, 1), await store.Jobs.GetStatsAsync(Ct));
    }

    [Fact]
    public async Task Listing_dead_letters_respects_the_limit()
    {
        // Arrange
        var store = await NewStoreAsync();
        for (var i = 0; i < 3; i++)
        {
            await store.Jobs.EnqueueAsync(new JobRequest("test.kind", $"dead-{i}", "{}"), Ct);
        }

        foreach (var job in await store.Jobs.ClaimAsync("worker-a", Lease, 10, Ct))
        {
            await store.Jobs.FailAsync(job, "boom", null, Ct);
        }

        // Act
        var dead = await store.Jobs.ListDeadLetteredAsync(2, Ct);

        // Assert
        Assert.Equal(2, dead.Count);
        Assert.All(dead, j => Assert.Equal(JobState.DeadLettered, j.State));
    }

    [Fact]
    public async Task Releasing_a_job_makes_it_claimable_at_once_without_counting_an_attempt()
    {
        // Arrange
        var store = await NewStoreAsync();
        await store.Jobs.EnqueueAsync(new JobRequest("test.kind", "release", "{}"), Ct);
        var job = Assert.Single(await store.Jobs.ClaimAsync("worker-a", Lease, 10, Ct));

        // Act
        var released = await store.Jobs.ReleaseAsync(job, Ct);
        var stored = await store.Jobs.GetAsync(job.Id, Ct);
        var reclaimed = Assert.Single(await store.Jobs.ClaimAsync("worker-b", Lease, 10, Ct));

        // Assert
        Assert.True(released);
        Assert.Equal(JobState.Pending, stored!.State);
        Assert.Equal(0, stored.Attempts);
        Assert.Null(stored.LeaseOwner);
        Assert.Equal(1, reclaimed.Attempts);
        Assert.False(await store.Jobs.ReleaseAsync(job, Ct));
    }

    [Fact]
    public async Task Stats_count_pending_leased_and_dead_lettered_jobs_but_not_completed_ones()
    {
        // Arrange: 7 jobs; 4 claimed, of which 1 completed and 1 dead-lettered.
        var store = await NewStoreAsync();
        for (var i = 0; i < 7; i++)
        {
            await store.Jobs.EnqueueAsync(new JobRequest("test.kind", $"stats-{i}", "{}", Start.AddSeconds(i - 10)), Ct);
        }

        var claimed = await store.Jobs.ClaimAsync("worker-a", Lease, 4, Ct);
        await store.Jobs.CompleteAsync(claimed[0], Ct);
        await store.Jobs.FailAsync(claimed[1], "boom", null, Ct);

        // Act
        var stats = await store.Jobs.GetStatsAsync(Ct);

        // Assert
        Assert.Equal(new JobQueueStats(Pending: 3, Leased: 2, DeadLettered: 1), stats);
    }

    [Fact]
    public async Task Claim_by_id_leases_a_due_job_once_and_nothing_else()
    {
        // Arrange
        var store = await NewStoreAsync();
        var due = await store.Jobs.EnqueueAsync(new JobRequest("test.kind", "by-id", "{}"), Ct);
        var notDue = await store.Jobs.EnqueueAsync(new JobRequest("test.kind", "by-id-later", "{}", Start.AddMinutes(5)), Ct);

        // Act
        var claimed = await store.Jobs.ClaimByIdAsync(due.JobId, "worker-a", Lease, Ct);
        var twice = await store.Jobs.ClaimByIdAsync(due.JobId, "worker-b", Lease, Ct);
        var early = await store.Jobs.ClaimByIdAsync(notDue.JobId, "worker-a", Lease, Ct);
        var unknown = await store.Jobs.ClaimByIdAsync("01JUNKNOWN0000000000000000", "worker-a", Lease, Ct);

        // Assert
        Assert.NotNull(claimed);
        Assert.Equal(JobState.Leased, claimed.State);
        Assert.Equal("worker-a", claimed.LeaseOwner);
        Assert.Equal(1, claimed.Attempts);
        Assert.Null(twice);
        Assert.Null(early);
        Assert.Null(unknown);
    }

    [Fact]
    public async Task Claim_by_id_takes_a_job_whose_lease_expired()
    {
        // Arrange
        var store = await NewStoreAsync();
        var enqueued = await store.Jobs.EnqueueAsync(new JobRequest("test.kind", "by-id-expired", "{}"), Ct);
        var first = await store.Jobs.ClaimByIdAsync(enqueued.JobId, "worker-a", Lease, Ct);
        Clock.Advance(Lease);

        // Act
        var second = await store.Jobs.ClaimByIdAsync(enqueued.JobId, "worker-b", Lease, Ct);

        // Assert
        Assert.NotNull(second);
        Assert.Equal("worker-b", second.LeaseOwner);
        Assert.Equal(2, second.Attempts);
        Assert.False(await store.Jobs.CompleteAsync(first!, Ct));
    }

    [Fact]
    public async Task A_completed_job_is_kept_for_the_retention_and_gone_after_it()
    {
        // Arrange
        var store = await NewStoreAsync();
        await store.Jobs.EnqueueAsync(new JobRequest("test.kind", "ttl", "{}"), Ct);
        var job = Assert.Single(await store.Jobs.ClaimAsync("worker-a", Lease, 10, Ct));
        await store.Jobs.CompleteAsync(job, Ct);

        // Act
        Clock.Advance(Defaults.CompletedJobRetention - TimeSpan.FromMinutes(1));
        var beforeExpiry = await store.Jobs.GetAsync(job.Id, Ct);
        Clock.Advance(TimeSpan.FromMinutes(2));
        var afterExpiry = await store.Jobs.GetAsync(job.Id, Ct);

        // Assert
        Assert.NotNull(beforeExpiry);
        Assert.Null(afterExpiry);
    }

    [Fact]
    public async Task A_dead_lettered_job_does_not_expire()
    {
        // Arrange
        var store = await NewStoreAsync();
        await store.Jobs.EnqueueAsync(new JobRequest("test.kind", "dead-forever", "{}"), Ct);
        var job = Assert.Single(await store.Jobs.ClaimAsync("worker-a", Lease, 10, Ct));
        await store.Jobs.FailAsync(job, "boom", null, Ct);

        // Act
        Clock.Advance(Defaults.CompletedJobRetention * 3);
        var stored = await store.Jobs.GetAsync(job.Id, Ct);

        // Assert
        Assert.Equal(JobState.DeadLettered, stored!.State);
        Assert.Single(await store.Jobs.ListDeadLetteredAsync(10, Ct));
    }
}
