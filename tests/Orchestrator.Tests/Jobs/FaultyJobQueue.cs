using Orchestrator.Storage;
using Orchestrator.Tests.Storage.Sqlite;

namespace Orchestrator.Tests.Jobs;

/// <summary>
/// The real SQLite job queue on a file of its own, with faults on demand for tests of the code that drives the
/// queue: <see cref="FailClaimsOf"/> and <see cref="FailAllClaims"/> make claims (and stats) throw
/// <see cref="StoreUnavailableException"/> as an unreachable store would. Everything else is the store itself,
/// so these tests exercise the same claim rules the contract suite pins.
/// </summary>
public sealed class FaultyJobQueue : IJobQueue
{
    private readonly IJobQueue _inner;

    public FaultyJobQueue(TimeProvider time)
    {
        var database = SqliteTestDatabase.Create();
        _inner = database.Open(time).Jobs;
    }

    public HashSet<string> FailClaimsOf { get; } = [];

    public bool FailAllClaims { get; set; }

    public Task<EnqueueResult> EnqueueAsync(JobRequest request, CancellationToken cancellationToken) => _inner.EnqueueAsync(request, cancellationToken);

    public Task<IReadOnlyList<Job>> ClaimAsync(string owner, TimeSpan lease, int max, CancellationToken cancellationToken)
    {
        ThrowIf(FailAllClaims);
        return _inner.ClaimAsync(owner, lease, max, cancellationToken);
    }

    public Task<Job?> ClaimByIdAsync(string jobId, string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        ThrowIf(FailAllClaims || FailClaimsOf.Contains(jobId));
        return _inner.ClaimByIdAsync(jobId, owner, lease, cancellationToken);
    }

    public Task<bool> CompleteAsync(Job job, CancellationToken cancellationToken) => _inner.CompleteAsync(job, cancellationToken);

    public Task<bool> FailAsync(Job job, string error, DateTimeOffset? retryAt, CancellationToken cancellationToken) => _inner.FailAsync(job, error, retryAt, cancellationToken);

    public Task<bool> ReleaseAsync(Job job, CancellationToken cancellationToken) => _inner.ReleaseAsync(job, cancellationToken);

    public Task<Job?> GetAsync(string jobId, CancellationToken cancellationToken) => _inner.GetAsync(jobId, cancellationToken);

    public Task<IReadOnlyList<Job>> ListDeadLetteredAsync(int limit, CancellationToken cancellationToken) => _inner.ListDeadLetteredAsync(limit, cancellationToken);

    public Task<JobQueueStats> GetStatsAsync(CancellationToken cancellationToken)
    {
        ThrowIf(FailAllClaims);
        return _inner.GetStatsAsync(cancellationToken);
    }

    private static void ThrowIf(bool fail)
    {
        if (fail)
        {
            throw new StoreUnavailableException("The test made the store fail.");
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
