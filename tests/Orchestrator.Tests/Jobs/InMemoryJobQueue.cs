using Orchestrator.Storage;

namespace Orchestrator.Tests.Jobs;

/// <summary>
/// A job queue in memory with the contract's claim rules (pending and due, or leased with an expired lease), for tests
/// of the code that drives the queue. <see cref="FailClaimsOf"/> makes the store fail for chosen jobs.
/// </summary>
public sealed class InMemoryJobQueue(TimeProvider time) : IJobQueue
{
    private readonly Dictionary<string, Job> _jobs = [];
    private readonly Dictionary<string, string> _keys = [];
    private int _next;

    public HashSet<string> FailClaimsOf { get; } = [];

    public bool FailAllClaims { get; set; }

    public IReadOnlyCollection<Job> All
    {
        get
        {
            lock (_jobs)
            {
                return [.. _jobs.Values];
            }
        }
    }

    public Task<EnqueueResult> EnqueueAsync(JobRequest request, CancellationToken cancellationToken)
    {
        lock (_jobs)
        {
            if (_keys.TryGetValue(request.IdempotencyKey, out var existing))
            {
                return Task.FromResult(new EnqueueResult(existing, false));
            }

            var id = $"J{++_next:D4}";
            var now = time.GetUtcNow();
            _jobs[id] = new Job(id, request.Kind, request.IdempotencyKey, request.Payload, JobState.Pending, now, request.DueAt ?? now, 0, null, null, null);
            _keys[request.IdempotencyKey] = id;
            return Task.FromResult(new EnqueueResult(id, true));
        }
    }

    public Task<IReadOnlyList<Job>> ClaimAsync(string owner, TimeSpan lease, int max, CancellationToken cancellationToken)
    {
        lock (_jobs)
        {
            ThrowIf(FailAllClaims);
            var now = time.GetUtcNow();
            var due = _jobs.Values.Where(j => Claimable(j, now)).OrderBy(j => j.DueAt).Take(max).ToList();
            return Task.FromResult<IReadOnlyList<Job>>([.. due.Select(j => Lease(j, owner, lease, now))]);
        }
    }

    public Task<Job?> ClaimByIdAsync(string jobId, string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        lock (_jobs)
        {
            ThrowIf(FailAllClaims || FailClaimsOf.Contains(jobId));
            var now = time.GetUtcNow();
            return Task.FromResult(_jobs.TryGetValue(jobId, out var job) && Claimable(job, now) ? Lease(job, owner, lease, now) : null);
        }
    }

    public Task<bool> CompleteAsync(Job job, CancellationToken cancellationToken) =>
        Update(job, j => j with { State = JobState.Completed, LeaseOwner = null, LeaseExpiresAt = null });

    public Task<bool> FailAsync(Job job, string error, DateTimeOffset? retryAt, CancellationToken cancellationToken) =>
        Update(job, j => retryAt is { } at
            ? j with { State = JobState.Pending, DueAt = at, LeaseOwner = null, LeaseExpiresAt = null, LastError = error }
            : j with { State = JobState.DeadLettered, LeaseOwner = null, LeaseExpiresAt = null, LastError = error });

    public Task<bool> ReleaseAsync(Job job, CancellationToken cancellationToken) =>
        Update(job, j => j with { State = JobState.Pending, Attempts = j.Attempts - 1, LeaseOwner = null, LeaseExpiresAt = null });

    public Task<Job?> GetAsync(string jobId, CancellationToken cancellationToken)
    {
        lock (_jobs)
        {
            return Task.FromResult(_jobs.GetValueOrDefault(jobId));
        }
    }

    public Task<IReadOnlyList<Job>> ListDeadLetteredAsync(int limit, CancellationToken cancellationToken)
    {
        lock (_jobs)
        {
            return Task.FromResult<IReadOnlyList<Job>>([.. _jobs.Values.Where(j => j.State == JobState.DeadLettered).Take(limit)]);
        }
    }

    public Task<JobQueueStats> GetStatsAsync(CancellationToken cancellationToken)
    {
        lock (_jobs)
        {
            ThrowIf(FailAllClaims);
            return Task.FromResult(new JobQueueStats(
                _jobs.Values.Count(j => j.State == JobState.Pending),
                _jobs.Values.Count(j => j.State == JobState.Leased),
                _jobs.Values.Count(j => j.State == JobState.DeadLettered)));
        }
    }

    private static bool Claimable(Job job, DateTimeOffset now) =>
        (job.State == JobState.Pending && job.DueAt <= now) || (job.State == JobState.Leased && job.LeaseExpiresAt <= now);

    private static void ThrowIf(bool fail)
    {
        if (fail)
        {
            throw new StoreUnavailableException("The test store is down.");
        }
    }

    private Job Lease(Job job, string owner, TimeSpan lease, DateTimeOffset now)
    {
        var leased = job with { State = JobState.Leased, Attempts = job.Attempts + 1, LeaseOwner = owner, LeaseExpiresAt = now + lease };
        _jobs[job.Id] = leased;
        return leased;
    }

    private Task<bool> Update(Job job, Func<Job, Job> change)
    {
        lock (_jobs)
        {
            if (!_jobs.TryGetValue(job.Id, out var stored) || stored.State != JobState.Leased || stored.LeaseOwner != job.LeaseOwner)
            {
                return Task.FromResult(false);
            }

            _jobs[job.Id] = change(stored);
            return Task.FromResult(true);
        }
    }
}

/// <summary>A handler whose outcome each test decides per job payload.</summary>
public sealed class ScriptedHandler(string kind = "test.job") : Orchestrator.Jobs.IJobHandler
{
    public string Kind => kind;

    /// <summary>Payloads whose run throws (a retryable failure).</summary>
    public HashSet<string> Failing { get; } = [];

    public List<string> Ran { get; } = [];

    public Func<Job, Task>? OnRun { get; set; }

    public async Task HandleAsync(Job job, CancellationToken cancellationToken)
    {
        lock (Ran)
        {
            Ran.Add(job.Payload);
        }

        if (OnRun is not null)
        {
            await OnRun(job);
        }

        if (Failing.Contains(job.Payload))
        {
            throw new InvalidOperationException("scripted failure");
        }
    }
}
