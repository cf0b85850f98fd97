using System.Globalization;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Storage;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Storage.DynamoDb;

/// <summary>The DynamoDB queue: conditional claims through the due index, leases, retention.</summary>
public sealed class DynamoJobQueueTests(DynaliteServer dynalite)
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-25T09:00:00Z", CultureInfo.InvariantCulture));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Enqueueing_one_idempotency_key_twice_yields_one_job()
    {
        // Arrange
        var store = await dynalite.CreateStoreAsync(_clock);

        // Act
        var first = await store.Jobs.EnqueueAsync(new JobRequest("k", "same-key", "{}"), Ct);
        var second = await store.Jobs.EnqueueAsync(new JobRequest("k", "same-key", "{\"other\":1}"), Ct);

        // Assert
        Assert.True(first.Created);
        Assert.Equal(new EnqueueResult(first.JobId, Created: false), second);
        Assert.Equal(1, (await store.Jobs.GetStatsAsync(Ct)).Pending);
    }

    [Fact]
    public async Task Concurrent_enqueues_of_one_key_yield_one_job()
    {
        // Arrange
        var store = await dynalite.CreateStoreAsync(_clock);

        // Act
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => store.Jobs.EnqueueAsync(new JobRequest("k", "raced", "{}"), Ct)));

        // Assert
        Assert.Single(results, r => r.Created);
        Assert.Single(results.Select(r => r.JobId).Distinct());
    }

    [Fact]
    public async Task Claiming_takes_due_jobs_oldest_first_and_leaves_future_ones()
    {
        // Arrange
        var store = await dynalite.CreateStoreAsync(_clock);
        var now = _clock.GetUtcNow();
        var later = await store.Jobs.EnqueueAsync(new JobRequest("k", "later", "{}", now.AddMinutes(5)), Ct);
        var newer = await store.Jobs.EnqueueAsync(new JobRequest("k", "newer", "{}", now.AddMinutes(-1)), Ct);
        var older = await store.Jobs.EnqueueAsync(new JobRequest("k", "older", "{}", now.AddMinutes(-2)), Ct);

        // Act
        var claimed = await store.Jobs.ClaimAsync("w1", Lease, 10, Ct);

        // Assert
        Assert.Equal([older.JobId, newer.JobId], claimed.Select(j => j.Id));
        Assert.All(claimed, j => Assert.Equal((JobState.Leased, "w1", now + Lease, 1), (j.State, j.LeaseOwner, j.LeaseExpiresAt, j.Attempts)));
        Assert.Equal(JobState.Pending, (await store.Jobs.GetAsync(later.JobId, Ct))?.State);
        Assert.Equal(new JobQueueStats(1, 2, 0), await store.Jobs.GetStatsAsync(Ct));
    }

    [Fact]
    public async Task A_leased_job_is_claimable_again_only_once_its_lease_expires()
    {
        // Arrange
        var store = await dynalite.CreateStoreAsync(_clock);
        var id = (await store.Jobs.EnqueueAsync(new JobRequest("k", "lease", "{}"), Ct)).JobId;
        var first = Assert.Single(await store.Jobs.ClaimAsync("w1", Lease, 1, Ct));

        // Act
        var whileHeld = await store.Jobs.ClaimAsync("w2", Lease, 1, Ct);
        _clock.Advance(Lease);
        var afterExpiry = await store.Jobs.ClaimAsync("w2", Lease, 1, Ct);

        // Assert
        Assert.Empty(whileHeld);
        var second = Assert.Single(afterExpiry);
        Assert.Equal((id, "w2", 2), (second.Id, second.LeaseOwner, second.Attempts));
        Assert.False(await store.Jobs.CompleteAsync(first, Ct));
        Assert.True(await store.Jobs.CompleteAsync(second, Ct));
    }

    [Fact]
    public async Task A_job_is_claimed_by_id_only_when_it_is_claimable()
    {
        // Arrange
        var store = await dynalite.CreateStoreAsync(_clock);
        var due = (await store.Jobs.EnqueueAsync(new JobRequest("k", "due", "{}"), Ct)).JobId;
        var future = (await store.Jobs.EnqueueAsync(new JobRequest("k", "future", "{}", _clock.GetUtcNow().AddHours(1)), Ct)).JobId;

        // Act
        var claimed = await store.Jobs.ClaimByIdAsync(due, "stream", Lease, Ct);
        var again = await store.Jobs.ClaimByIdAsync(due, "other", Lease, Ct);
        var early = await store.Jobs.ClaimByIdAsync(future, "stream", Lease, Ct);
        var missing = await store.Jobs.ClaimByIdAsync("no-such-job", "stream", Lease, Ct);

        // Assert
        Assert.Equal((due, "stream"), (claimed?.Id, claimed?.LeaseOwner));
        Assert.Null(again);
        Assert.Null(early);
        Assert.Null(missing);
    }

    [Fact]
    public async Task A_completed_job_leaves_the_due_index_and_its_item_the_idempotency_record_expires_after_the_retention()
    {
        // Arrange
        var options = dynalite.Options();
        options.CompletedJobRetention = TimeSpan.FromDays(2);
        var store = await dynalite.CreateStoreAsync(_clock, options);
        await store.Jobs.EnqueueAsync(new JobRequest("k", "done", "{}"), Ct);
        var job = Assert.Single(await store.Jobs.ClaimAsync("w1", Lease, 1, Ct));
        _clock.Advance(TimeSpan.FromSeconds(30));

        // Act
        var completed = await store.Jobs.CompleteAsync(job, Ct);

        // Assert
        Assert.True(completed);
        Assert.Equal(JobState.Completed, (await store.Jobs.GetAsync(job.Id, Ct))?.State);
        Assert.Equal(new JobQueueStats(0, 0, 0), await store.Jobs.GetStatsAsync(Ct));
        var expires = (_clock.GetUtcNow() + TimeSpan.FromDays(2)).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var client = dynalite.CreateClient();
        var items = (await client.ScanAsync(new ScanRequest { TableName = options.DynamoDb.TablePrefix + "jobs" }, Ct)).Items;
        var item = Assert.Single(items); // no separate idempotency item
        Assert.Equal("job#" + Orchestrator.Storage.DynamoDb.DynamoJobQueue.KeyHash("done"), item["pk"].S);
        Assert.Equal(job.Id, item["id"].S);
        Assert.Equal(expires, item["expiresAt"].N);
        Assert.False(item.ContainsKey("queue"), "the completed job is still in the due index");
    }

    [Fact]
    public async Task Only_the_lease_holder_can_complete_fail_or_release_a_job()
    {
        // Arrange
        var store = await dynalite.CreateStoreAsync(_clock);
        await store.Jobs.EnqueueAsync(new JobRequest("k", "held", "{}"), Ct);
        var job = Assert.Single(await store.Jobs.ClaimAsync("w1", Lease, 1, Ct));
        var impostor = job with { LeaseOwner = "w2" };

        // Act
        var results = new[]
        {
            await store.Jobs.CompleteAsync(impostor, Ct),
            await store.Jobs.FailAsync(impostor, "boom", null, Ct),
            await store.Jobs.ReleaseAsync(impostor, Ct),
        };

        // Assert
        Assert.All(results, Assert.False);
        Assert.Equal((JobState.Leased, "w1"), ((await store.Jobs.GetAsync(job.Id, Ct))?.State, (await store.Jobs.GetAsync(job.Id, Ct))?.LeaseOwner));
    }

    [Fact]
    public async Task A_failed_job_with_a_retry_time_is_pending_again_at_that_time()
    {
        // Arrange
        var store = await dynalite.CreateStoreAsync(_clock);
        await store.Jobs.EnqueueAsync(new JobRequest("k", "retry", "{}"), Ct);
        var job = Assert.Single(await store.Jobs.ClaimAsync("w1", Lease, 1, Ct));
        var retryAt = _clock.GetUtcNow().AddMinutes(10);

        // Act
        var failed = await store.Jobs.FailAsync(job, "Timeout: GitHub did not answer", retryAt, Ct);
        var tooEarly = await store.Jobs.ClaimAsync("w1", Lease, 1, Ct);
        _clock.Advance(TimeSpan.FromMinutes(10));
        var retried = await store.Jobs.ClaimAsync("w1", Lease, 1, Ct);

        // Assert
        Assert.True(failed);
        Assert.Empty(tooEarly);
        var again = Assert.Single(retried);
        Assert.Equal((2, "Timeout: GitHub did not answer", retryAt), (again.Attempts, again.LastError, again.DueAt));
    }

    [Fact]
    public async Task A_job_failed_without_a_retry_is_dead_lettered_listed_and_counted()
    {
        // Arrange
        var store = await dynalite.CreateStoreAsync(_clock);
        await store.Jobs.EnqueueAsync(new JobRequest("k", "poison", "{}"), Ct);
        await store.Jobs.EnqueueAsync(new JobRequest("k", "fine", "{}"), Ct);
        var claimed = await store.Jobs.ClaimAsync("w1", Lease, 2, Ct);
        var poison = claimed.Single(j => j.IdempotencyKey == "poison");

        // Act
        await store.Jobs.FailAsync(poison, "PermanentJobFailureException: corrupt", null, Ct);
        _clock.Advance(Lease);
        var reclaimed = await store.Jobs.ClaimAsync("w2", Lease, 10, Ct);

        // Assert
        var dead = Assert.Single(await store.Jobs.ListDeadLetteredAsync(10, Ct));
        Assert.Equal((poison.Id, JobState.DeadLettered, "PermanentJobFailureException: corrupt", null), (dead.Id, dead.State, dead.LastError, dead.LeaseOwner));
        Assert.Equal("fine", Assert.Single(reclaimed).IdempotencyKey);
        Assert.Equal(new JobQueueStats(0, 1, 1), await store.Jobs.GetStatsAsync(Ct));
    }

    [Fact]
    public async Task A_released_job_is_claimable_at_once_without_counting_an_attempt()
    {
        // Arrange
        var store = await dynalite.CreateStoreAsync(_clock);
        await store.Jobs.EnqueueAsync(new JobRequest("k", "released", "{}"), Ct);
        var job = Assert.Single(await store.Jobs.ClaimAsync("w1", Lease, 1, Ct));

        // Act
        var released = await store.Jobs.ReleaseAsync(job, Ct);
        var next = await store.Jobs.ClaimAsync("w2", Lease, 1, Ct);

        // Assert
        Assert.True(released);
        Assert.Equal(1, Assert.Single(next).Attempts);
    }
}
