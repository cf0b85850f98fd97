using Orchestrator.Runs;
using Orchestrator.Storage;

namespace Orchestrator.Tests.Storage;

/// <summary>The <see cref="IRunStore"/> contract, shared by every store.</summary>
public abstract class RunStoreContract : StoreContract
{
    private const string Repo = "octo-org/service";

    [Fact]
    public async Task A_created_run_is_stored_with_version_one()
    {
        // Arrange
        var store = await NewStoreAsync();
        var run = NewRun();

        // Act
        var created = await store.Runs.CreateAsync(run, Ct);
        var stored = await store.Runs.GetAsync(run.Id, Ct);

        // Assert
        Assert.Equal(1, created.Version);
        Assert.Equivalent(run with { Version = 1 }, created, strict: true);
        Assert.Equivalent(created, stored, strict: true);
    }

    [Fact]
    public async Task A_run_with_every_field_set_round_trips_unchanged()
    {
        // Arrange
        var store = await NewStoreAsync();
        var run = FullRun();

        // Act
        await store.Runs.CreateAsync(run, Ct);
        var stored = await store.Runs.GetAsync(run.Id, Ct);

        // Assert
        Assert.Equivalent(run with { Version = 1 }, stored, strict: true);
    }

    [Fact]
    public async Task An_unknown_run_is_not_found()
    {
        // Arrange
        var store = await NewStoreAsync();

        // Act
        var stored = await store.Runs.GetAsync(RunId.New(Clock), Ct);

        // Assert
        Assert.Null(stored);
    }

    [Fact]
    public async Task Creating_a_run_whose_version_is_not_zero_is_refused()
    {
        // Arrange
        var store = await NewStoreAsync();
        var run = NewRun() with { Version = 3 };

        // Act
        var create = () => store.Runs.CreateAsync(run, Ct);

        // Assert
        await Assert.ThrowsAnyAsync<ArgumentException>(create);
        Assert.Null(await store.Runs.GetAsync(run.Id, Ct));
    }

    [Fact]
    public async Task Creating_a_run_whose_id_exists_is_a_conflict()
    {
        // Arrange
        var store = await NewStoreAsync();
        var run = NewRun();
        await store.Runs.CreateAsync(run, Ct);

        // Act
        var createAgain = () => store.Runs.CreateAsync(run with { Reason = "again" }, Ct);

        // Assert
        await Assert.ThrowsAsync<ConcurrencyConflictException>(createAgain);
        Assert.Null((await store.Runs.GetAsync(run.Id, Ct))!.Reason);
    }

    [Fact]
    public async Task Updating_a_run_increments_its_version_and_stamps_the_update_time()
    {
        // Arrange
        var store = await NewStoreAsync();
        var created = await store.Runs.CreateAsync(NewRun(), Ct);
        Clock.Advance(TimeSpan.FromMinutes(5));

        // Act
        var updated = await store.Runs.UpdateAsync(created with { State = RunState.Approved, ApprovedBy = "discord:42" }, Ct);
        var stored = await store.Runs.GetAsync(created.Id, Ct);

        // Assert
        Assert.Equal(2, updated.Version);
        Assert.Equal(Clock.GetUtcNow(), updated.UpdatedAt);
        Assert.Equal(RunState.Approved, updated.State);
        Assert.Equivalent(updated, stored, strict: true);
    }

    [Fact]
    public async Task Updating_with_a_stale_version_is_a_conflict_and_changes_nothing()
    {
        // Arrange
        var store = await NewStoreAsync();
        var created = await store.Runs.CreateAsync(NewRun(), Ct);
        var winner = await store.Runs.UpdateAsync(created with { Reason = "winner" }, Ct);

        // Act
        var stale = () => store.Runs.UpdateAsync(created with { Reason = "stale" }, Ct);

        // Assert
        await Assert.ThrowsAsync<ConcurrencyConflictException>(stale);
        Assert.Equivalent(winner, await store.Runs.GetAsync(created.Id, Ct), strict: true);
    }

    [Fact]
    public async Task Updating_a_run_that_does_not_exist_is_a_conflict()
    {
        // Arrange
        var store = await NewStoreAsync();
        var never = NewRun() with { Version = 1 };

        // Act
        var update = () => store.Runs.UpdateAsync(never, Ct);

        // Assert
        await Assert.ThrowsAsync<ConcurrencyConflictException>(update);
        Assert.Null(await store.Runs.GetAsync(never.Id, Ct));
    }

    [Fact]
    public async Task Two_concurrent_writers_with_the_same_version_have_exactly_one_winner()
    {
        // Arrange
        var store = await NewStoreAsync();
        var created = await store.Runs.CreateAsync(NewRun(), Ct);

        // Act
        var writes = new[]
        {
            Task.Run(() => store.Runs.UpdateAsync(created with { Reason = "first writer" }, Ct), Ct),
            Task.Run(() => store.Runs.UpdateAsync(created with { OnHold = true }, Ct), Ct),
        };
        await Task.WhenAll(writes.Select(w => w.ContinueWith(_ => { }, Ct, TaskContinuationOptions.None, TaskScheduler.Default)));

        // Assert
        var winner = Assert.Single(writes, w => w.IsCompletedSuccessfully);
        var loser = Assert.Single(writes, w => w.IsFaulted);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => loser);
        var won = await winner;
        Assert.Equal(2, won.Version);
        Assert.Equivalent(won, await store.Runs.GetAsync(created.Id, Ct), strict: true);
    }

    [Fact]
    public async Task Update_with_retry_lands_both_changes_when_another_writer_gets_in_between()
    {
        // Arrange: writer B commits between writer A's read and A's write, so A's first write conflicts.
        var store = await NewStoreAsync();
        var created = await store.Runs.CreateAsync(NewRun(), Ct);
        var racing = new RacingRunStore(store.Runs, () => store.Runs.UpdateWithRetryAsync(created.Id, r => r with { OnHold = true }, Ct));

        // Act
        var result = await racing.UpdateWithRetryAsync(created.Id, r => r with { Reason = "writer A" }, Ct);

        // Assert
        Assert.Equal(1, racing.Conflicts);
        Assert.Equal(3, result.Version);
        Assert.True(result.OnHold);
        Assert.Equal("writer A", result.Reason);
        Assert.Equivalent(result, await store.Runs.GetAsync(created.Id, Ct), strict: true);
    }

    [Fact]
    public async Task Concurrent_updates_with_retry_all_land()
    {
        // Arrange
        var store = await NewStoreAsync();
        var created = await store.Runs.CreateAsync(NewRun(tasks: [NewTask(1), NewTask(2), NewTask(3), NewTask(4)]), Ct);

        // Act: four writers each change their own task at the same time.
        await Task.WhenAll(Enumerable.Range(1, 4).Select(n => Task.Run(
            () => store.Runs.UpdateWithRetryAsync(
                created.Id,
                r => r with { Tasks = [.. r.Tasks.Select(t => t.IssueNumber == n ? t with { State = TaskState.Dispatched } : t)] },
                Ct,
                attempts: 20),
            Ct)));
        var stored = await store.Runs.GetAsync(created.Id, Ct);

        // Assert
        Assert.All(stored!.Tasks, t => Assert.Equal(TaskState.Dispatched, t.State));
        Assert.Equal(5, stored.Version);
    }

    [Fact]
    public async Task Latest_runs_are_listed_newest_first_up_to_the_count()
    {
        // Arrange
        var store = await NewStoreAsync();
        var runs = new List<Run>();
        for (var i = 0; i < 3; i++)
        {
            runs.Add(await store.Runs.CreateAsync(NewRun(), Ct));
            Clock.Advance(TimeSpan.FromMinutes(1));
        }

        // Act
        var latest = await store.Runs.ListLatestAsync(2, Ct);

        // Assert
        Assert.Equal([runs[2].Id, runs[1].Id], latest.Select(r => r.Id));
    }

    [Fact]
    public async Task Active_runs_are_those_in_an_active_state_newest_first()
    {
        // Arrange: one run per state, each a minute newer than the last.
        var store = await NewStoreAsync();
        var byState = new Dictionary<RunState, Run>();
        foreach (var state in Enum.GetValues<RunState>())
        {
            byState[state] = await store.Runs.CreateAsync(NewRun() with { State = state }, Ct);
            Clock.Advance(TimeSpan.FromMinutes(1));
        }

        // Act
        var active = await store.Runs.ListActiveAsync(null, Ct);

        // Assert
        var expected = Enum.GetValues<RunState>().Where(Run.IsActive).Reverse().Select(s => byState[s].Id);
        Assert.Equal(expected, active.Select(r => r.Id));
    }

    [Fact]
    public async Task Active_runs_of_a_repository_leave_out_other_repositories()
    {
        // Arrange
        var store = await NewStoreAsync();
        var mine = await store.Runs.CreateAsync(NewRun(), Ct);
        Clock.Advance(TimeSpan.FromMinutes(1));
        var other = await store.Runs.CreateAsync(NewRun(repository: "octo-org/other") with { State = RunState.InProgress }, Ct);

        // Act
        var forRepo = await store.Runs.ListActiveAsync(Repo, Ct);
        var forAll = await store.Runs.ListActiveAsync(null, Ct);

        // Assert
        Assert.Equal([mine.Id], forRepo.Select(r => r.Id));
        Assert.Equal([other.Id, mine.Id], forAll.Select(r => r.Id));
    }

    [Fact]
    public async Task A_run_that_stops_being_active_leaves_the_active_list()
    {
        // Arrange
        var store = await NewStoreAsync();
        var created = await store.Runs.CreateAsync(NewRun(), Ct);

        // Act
        await store.Runs.UpdateAsync(created with { State = RunState.Completed }, Ct);
        var active = await store.Runs.ListActiveAsync(Repo, Ct);

        // Assert
        Assert.Empty(active);
    }

    [Fact]
    public async Task A_run_is_found_by_its_thread_and_no_longer_by_a_thread_it_left()
    {
        // Arrange
        var store = await NewStoreAsync();
        var created = await store.Runs.CreateAsync(NewRun(thread: "thread-1"), Ct);

        // Act
        var byThread = await store.Runs.FindByThreadAsync("thread-1", Ct);
        await store.Runs.UpdateAsync(created with { Discord = created.Discord! with { ThreadId = "thread-2" } }, Ct);
        var byOldThread = await store.Runs.FindByThreadAsync("thread-1", Ct);
        var byNewThread = await store.Runs.FindByThreadAsync("thread-2", Ct);

        // Assert
        Assert.Equal(created.Id, byThread!.Id);
        Assert.Null(byOldThread);
        Assert.Equal(created.Id, byNewThread!.Id);
        Assert.Null(await store.Runs.FindByThreadAsync("thread-unknown", Ct));
    }

    [Fact]
    public async Task A_run_is_found_by_a_pull_request_of_its_repository_once_a_task_has_it()
    {
        // Arrange
        var store = await NewStoreAsync();
        var created = await store.Runs.CreateAsync(NewRun(tasks: [NewTask(7), NewTask(8)]), Ct);
        var before = await store.Runs.FindByPullRequestAsync(Repo, 101, Ct);

        // Act
        var updated = await store.Runs.UpdateAsync(
            created with { Tasks = [created.Tasks[0] with { State = TaskState.PrOpen, PullRequestNumber = 101 }, created.Tasks[1]] },
            Ct);
        var found = await store.Runs.FindByPullRequestAsync(Repo, 101, Ct);

        // Assert
        Assert.Null(before);
        Assert.Equivalent(updated, found, strict: true);
        Assert.Null(await store.Runs.FindByPullRequestAsync("octo-org/other", 101, Ct));
        Assert.Null(await store.Runs.FindByPullRequestAsync(Repo, 102, Ct));
    }

    [Fact]
    public async Task A_run_is_found_by_an_issue_and_the_newest_run_wins()
    {
        // Arrange: the issue is planned twice (a later run picks it up again).
        var store = await NewStoreAsync();
        var older = await store.Runs.CreateAsync(NewRun(tasks: [NewTask(7), NewTask(9)]), Ct);
        Clock.Advance(TimeSpan.FromDays(1));
        var newer = await store.Runs.CreateAsync(NewRun(tasks: [NewTask(7)]), Ct);

        // Act
        var found = await store.Runs.FindByIssueAsync(Repo, 7, Ct);
        var onlyInOlder = await store.Runs.FindByIssueAsync(Repo, 9, Ct);

        // Assert
        Assert.Equal(newer.Id, found!.Id);
        Assert.Equal(older.Id, onlyInOlder!.Id);
        Assert.Null(await store.Runs.FindByIssueAsync("octo-org/other", 7, Ct));
        Assert.Null(await store.Runs.FindByIssueAsync(Repo, 8, Ct));
    }

    [Fact]
    public async Task A_run_is_found_by_the_correlation_id_of_a_task_or_of_its_ship()
    {
        // Arrange
        var store = await NewStoreAsync();
        var created = await store.Runs.CreateAsync(NewRun(tasks: [NewTask(7, correlationId: "corr-task-7")]), Ct);
        await store.Runs.UpdateAsync(created with { State = RunState.Shipping, Ship = new ShipInfo("corr-ship", "discord:42", Clock.GetUtcNow()) }, Ct);

        // Act
        var byTask = await store.Runs.FindByCorrelationIdAsync("corr-task-7", Ct);
        var byShip = await store.Runs.FindByCorrelationIdAsync("corr-ship", Ct);
        var unknown = await store.Runs.FindByCorrelationIdAsync("corr-unknown", Ct);

        // Assert
        Assert.Equal(created.Id, byTask!.Id);
        Assert.Equal(created.Id, byShip!.Id);
        Assert.Equal(RunState.Shipping, byShip.State);
        Assert.Null(unknown);
    }

    protected Run NewRun(string repository = Repo, string? thread = null, IReadOnlyList<RunTask>? tasks = null)
    {
        var now = Clock.GetUtcNow();
        tasks ??= [NewTask(7)];
        return new Run(
            RunId.New(Clock),
            repository,
            RunState.Pending,
            now,
            now,
            [.. tasks.Select(t => new PlannedIssue(t.IssueNumber, $"Issue {t.IssueNumber}", $"https://github.com/{repository}/issues/{t.IssueNumber}", ["ready"]))],
            new DiscordLocation("guild-1", "channel-1", thread, null, null),
            tasks,
            Version: 0,
            RequestedBy: "discord:1");
    }

    protected static RunTask NewTask(int issue, string? correlationId = null) =>
        new(issue, TaskState.Queued, correlationId ?? $"corr-{Guid.NewGuid():N}");

    private Run FullRun()
    {
        var now = Clock.GetUtcNow();
        return new Run(
            RunId.New(Clock),
            Repo,
            RunState.Shipping,
            now.AddHours(-3),
            now.AddHours(-1),
            [new PlannedIssue(7, "Fix \"quotes\" and ünïcödé 🚀", "https://github.com/octo-org/service/issues/7", ["ready", "bug"]), new PlannedIssue(8, "Second", "https://github.com/octo-org/service/issues/8", [])],
            new DiscordLocation("guild-1", "channel-1", "thread-1", "message-plan", "message-status"),
            [
                new RunTask(
                    7,
                    TaskState.Merged,
                    "corr-7",
                    PullRequestNumber: 101,
                    PullRequestUrl: "https://github.com/octo-org/service/pull/101",
                    HeadSha: "0123456789abcdef0123456789abcdef01234567",
                    HeadBranch: "orchestrator/7",
                    ChecksConclusion: "success",
                    DispatchId: "dispatch-7",
                    Attempts: 2,
                    LastError: "first attempt timed out",
                    DispatchedAt: now.AddHours(-2),
                    MergedAt: now.AddMinutes(-30),
                    FlaggedStale: true,
                    Executor: "claude",
                    RoutedBy: "label agent:claude",
                    PullRequestAt: now.AddMinutes(-100),
                    FirstHeadChecks: "superseded"),
                new RunTask(8, TaskState.Failed, "corr-8", LastError: "agent gave up", Failure: TaskFailure.Agent),
            ],
            Version: 0,
            RequestedBy: "discord:1",
            ApprovedBy: "discord:2",
            Reason: "daily plan",
            Ship: new ShipInfo("corr-ship", "discord:2", now.AddMinutes(-10), "hotfix", 987654321L, "https://github.com/octo-org/service/actions/runs/987654321", "success", now.AddMinutes(-1), 200, 12.5),
            OnHold: true);
    }

    /// <summary>Runs <paramref name="competitor"/> just before the first update reaches the store, as a faster writer would.</summary>
    private sealed class RacingRunStore(IRunStore inner, Func<Task> competitor) : IRunStore
    {
        private bool _raced;

        public int Conflicts { get; private set; }

        public async Task<Run> UpdateAsync(Run run, CancellationToken cancellationToken)
        {
            if (!_raced)
            {
                _raced = true;
                await competitor();
            }

            try
            {
                return await inner.UpdateAsync(run, cancellationToken);
            }
            catch (ConcurrencyConflictException)
            {
                Conflicts++;
                throw;
            }
        }

        public Task<Run> CreateAsync(Run run, CancellationToken cancellationToken) => inner.CreateAsync(run, cancellationToken);

        public Task<Run?> GetAsync(RunId id, CancellationToken cancellationToken) => inner.GetAsync(id, cancellationToken);

        public Task<IReadOnlyList<Run>> ListLatestAsync(int count, CancellationToken cancellationToken) => inner.ListLatestAsync(count, cancellationToken);

        public Task<IReadOnlyList<Run>> ListActiveAsync(string? repository, CancellationToken cancellationToken) => inner.ListActiveAsync(repository, cancellationToken);

        public Task<Run?> FindByThreadAsync(string threadId, CancellationToken cancellationToken) => inner.FindByThreadAsync(threadId, cancellationToken);

        public Task<Run?> FindByPullRequestAsync(string repository, int pullRequestNumber, CancellationToken cancellationToken) =>
            inner.FindByPullRequestAsync(repository, pullRequestNumber, cancellationToken);

        public Task<Run?> FindByIssueAsync(string repository, int issueNumber, CancellationToken cancellationToken) =>
            inner.FindByIssueAsync(repository, issueNumber, cancellationToken);

        public Task<Run?> FindByCorrelationIdAsync(string correlationId, CancellationToken cancellationToken) =>
            inner.FindByCorrelationIdAsync(correlationId, cancellationToken);
    }
}
