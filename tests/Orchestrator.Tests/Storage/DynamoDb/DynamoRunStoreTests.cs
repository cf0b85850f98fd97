using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Runs;
using Orchestrator.Storage;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Storage.DynamoDb;

/// <summary>Runs in the single-table design: versioned writes, lookups and markers in one transaction.</summary>
public sealed class DynamoRunStoreTests(DynaliteServer dynalite)
{
    private const string Repository = "octo-org/service";
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-25T09:00:00Z", CultureInfo.InvariantCulture));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_created_run_reads_back_whole_at_version_one()
    {
        // Arrange
        var store = await dynalite.CreateStoreAsync(_clock);
        var run = NewRun() with
        {
            Discord = new DiscordLocation("g", "c", "t-1", "m-1", null),
            Ship = new ShipInfo("ship-1", "discord:1", _clock.GetUtcNow(), HealthLatencyMs: 12.5),
            RequestedBy = "discord:1",
        };

        // Act
        var created = await store.Runs.CreateAsync(run, Ct);
        var read = await store.Runs.GetAsync(run.Id, Ct);

        // Assert
        Assert.Equal(1, created.Version);
        Assert.NotNull(read);
        Assert.Equal(Normalize(created), Normalize(read));
    }

    [Fact]
    public async Task An_update_from_a_stale_version_is_a_conflict_and_changes_nothing()
    {
        // Arrange
        var store = await dynalite.CreateStoreAsync(_clock);
        var created = await store.Runs.CreateAsync(NewRun(), Ct);
        var winner = await store.Runs.UpdateAsync(created with { State = RunState.Approved, ApprovedBy = "discord:2" }, Ct);

        // Act
        var stale = store.Runs.UpdateAsync(created with { State = RunState.Rejected }, Ct);

        // Assert
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => stale);
        var stored = await store.Runs.GetAsync(created.Id, Ct);
        Assert.Equal((RunState.Approved, 2L), (stored?.State, stored?.Version));
        Assert.Equal(2, winner.Version);
    }

    [Fact]
    public async Task Of_concurrent_updates_from_one_version_exactly_one_wins()
    {
        // Arrange
        var store = await dynalite.CreateStoreAsync(_clock);
        var created = await store.Runs.CreateAsync(NewRun(), Ct);

        // Act
        var attempts = Enumerable.Range(0, 6).Select(async i =>
        {
            try
            {
                await store.Runs.UpdateAsync(created with { Reason = $"writer {i}" }, Ct);
                return true;
            }
            catch (ConcurrencyConflictException)
            {
                return false;
            }
        });
        var results = await Task.WhenAll(attempts);

        // Assert
        Assert.Single(results, r => r);
        Assert.Equal(2, (await store.Runs.GetAsync(created.Id, Ct))?.Version);
    }

    [Fact]
    public async Task An_update_sets_the_updated_time_from_the_clock()
    {
        // Arrange
        var store = await dynalite.CreateStoreAsync(_clock);
        var created = await store.Runs.CreateAsync(NewRun(), Ct);
        _clock.Advance(TimeSpan.FromMinutes(7));

        // Act
        var updated = await store.Runs.UpdateAsync(created with { OnHold = true }, Ct);

        // Assert
        Assert.Equal(_clock.GetUtcNow(), updated.UpdatedAt);
        Assert.Equal(_clock.GetUtcNow(), (await store.Runs.GetAsync(created.Id, Ct))?.UpdatedAt);
    }

    [Fact]
    public async Task Lookups_find_the_run_by_thread_pull_request_issue_and_correlation_id()
    {
        // Arrange
        var store = await dynalite.CreateStoreAsync(_clock);
        var created = await store.Runs.CreateAsync(NewRun(), Ct);
        var tasks = created.Tasks.Select(t => t.IssueNumber == 7 ? t with { State = TaskState.PrOpen, PullRequestNumber = 70 } : t).ToList();

        // Act
        await store.Runs.UpdateAsync(
            created with
            {
                Discord = new DiscordLocation(null, "c", "thread-9", null, null),
                Tasks = tasks,
                Ship = new ShipInfo("ship-corr", "discord:1", _clock.GetUtcNow()),
            },
            Ct);

        // Assert
        var id = created.Id;
        Assert.Equal(id, (await store.Runs.FindByThreadAsync("thread-9", Ct))?.Id);
        Assert.Equal(id, (await store.Runs.FindByPullRequestAsync(Repository, 70, Ct))?.Id);
        Assert.Equal(id, (await store.Runs.FindByIssueAsync(Repository, 8, Ct))?.Id);
        Assert.Equal(id, (await store.Runs.FindByCorrelationIdAsync("corr-7", Ct))?.Id);
        Assert.Equal(id, (await store.Runs.FindByCorrelationIdAsync("ship-corr", Ct))?.Id);
        Assert.Null(await store.Runs.FindByPullRequestAsync("someone/else", 70, Ct));
        Assert.Null(await store.Runs.FindByIssueAsync(Repository, 99, Ct));
    }

    [Fact]
    public async Task A_lookup_that_the_run_no_longer_holds_finds_nothing()
    {
        // Arrange
        var store = await dynalite.CreateStoreAsync(_clock);
        var created = await store.Runs.CreateAsync(NewRun(), Ct);
        var withPr = await store.Runs.UpdateAsync(created with { Tasks = [.. created.Tasks.Select(t => t with { PullRequestNumber = t.IssueNumber * 10 })] }, Ct);

        // Act: the PR of issue 7 was closed and replaced by another.
        await store.Runs.UpdateAsync(withPr with { Tasks = [.. withPr.Tasks.Select(t => t.IssueNumber == 7 ? t with { PullRequestNumber = 71 } : t)] }, Ct);

        // Assert
        Assert.Null(await store.Runs.FindByPullRequestAsync(Repository, 70, Ct));
        Assert.Equal(created.Id, (await store.Runs.FindByPullRequestAsync(Repository, 71, Ct))?.Id);
    }

    [Fact]
    public async Task The_newest_run_holding_an_issue_is_found_even_after_an_older_one_changes()
    {
        // Arrange
        var store = await dynalite.CreateStoreAsync(_clock);
        var older = await store.Runs.CreateAsync(NewRun(), Ct);
        _clock.Advance(TimeSpan.FromDays(1));
        var newer = await store.Runs.CreateAsync(NewRun(), Ct);

        // Act
        await store.Runs.UpdateAsync(older with { State = RunState.Failed }, Ct);

        // Assert
        Assert.Equal(newer.Id, (await store.Runs.FindByIssueAsync(Repository, 7, Ct))?.Id);
    }

    [Fact]
    public async Task Active_runs_are_listed_per_repository_newest_first_until_they_finish()
    {
        // Arrange
        var store = await dynalite.CreateStoreAsync(_clock);
        var first = await store.Runs.CreateAsync(NewRun(), Ct);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var second = await store.Runs.CreateAsync(NewRun() with { State = RunState.InProgress }, Ct);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var elsewhere = await store.Runs.CreateAsync(NewRun("octo-org/other"), Ct);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var finished = await store.Runs.CreateAsync(NewRun() with { State = RunState.Completed }, Ct);

        // Act
        await store.Runs.UpdateAsync(first with { State = RunState.Cancelled }, Ct);

        // Assert
        Assert.Equal([second.Id], (await store.Runs.ListActiveAsync(Repository, Ct)).Select(r => r.Id));
        Assert.Equal([elsewhere.Id, second.Id], (await store.Runs.ListActiveAsync(null, Ct)).Select(r => r.Id));
        Assert.Equal([finished.Id, elsewhere.Id, second.Id], (await store.Runs.ListLatestAsync(3, Ct)).Select(r => r.Id));
    }

    [Fact]
    public async Task A_plan_larger_than_one_transaction_keeps_every_lookup()
    {
        // Arrange: 80 tasks need 160 lookups, more than a 100-item transaction holds.
        var store = await dynalite.CreateStoreAsync(_clock);
        var run = NewRun() with
        {
            Tasks = [.. Enumerable.Range(1, 80).Select(n => new RunTask(n, TaskState.Queued, $"corr-{n}"))],
        };

        // Act
        var created = await store.Runs.CreateAsync(run, Ct);
        var updated = await store.Runs.UpdateAsync(created with { Tasks = [.. created.Tasks.Where(t => t.IssueNumber > 40)] }, Ct);

        // Assert
        Assert.Equal(created.Id, (await store.Runs.FindByIssueAsync(Repository, 80, Ct))?.Id);
        Assert.Equal(created.Id, (await store.Runs.FindByCorrelationIdAsync("corr-41", Ct))?.Id);
        Assert.Null(await store.Runs.FindByIssueAsync(Repository, 1, Ct));
        Assert.Null(await store.Runs.FindByCorrelationIdAsync("corr-40", Ct));
        Assert.Equal(2, updated.Version);
    }

    private Run NewRun(string repository = Repository) => new(
        RunId.New(_clock),
        repository,
        RunState.Pending,
        _clock.GetUtcNow(),
        _clock.GetUtcNow(),
        [new PlannedIssue(7, "Fix the <b>thing</b>", "https://github.com/x/7", ["ready"]), new PlannedIssue(8, "Another", "https://github.com/x/8", [])],
        null,
        [new RunTask(7, TaskState.Queued, "corr-7"), new RunTask(8, TaskState.Queued, "corr-8")],
        Version: 0);

    /// <summary>Records compare lists by reference: compare their contents through a canonical text.</summary>
    private static string Normalize(Run run) => System.Text.Json.JsonSerializer.Serialize(run, Orchestrator.Runs.RunJsonContext.Default.Run);
}
