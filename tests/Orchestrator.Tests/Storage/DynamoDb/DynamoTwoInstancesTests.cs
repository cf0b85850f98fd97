using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Jobs;
using Orchestrator.Storage;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Storage.DynamoDb;

/// <summary>Two service instances on one set of tables, as two Lambda invocations or two hosts would be.</summary>
public sealed class DynamoTwoInstancesTests(DynaliteServer dynalite)
{
    private const int JobCount = 200;

    [Fact]
    public async Task Two_instances_draining_one_queue_run_every_job_exactly_once()
    {
        // Arrange: one clock that does not move, so no lease expires and a second run could only come from a double claim.
        var ct = TestContext.Current.CancellationToken;
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T09:00:00Z", CultureInfo.InvariantCulture));
        var options = dynalite.Options();
        var first = await dynalite.CreateStoreAsync(clock, options);
        var second = await dynalite.CreateStoreAsync(clock, options);
        var handler = new RecordingHandler();
        await Parallel.ForEachAsync(
            Enumerable.Range(0, JobCount),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct },
            async (i, token) => await first.Jobs.EnqueueAsync(new JobRequest(RecordingHandler.JobKind, $"job-{i}", $"{i}"), token));

        // Act
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        var completions = await Task.WhenAll(
            DrainAsync(first.Jobs, Runner(first.Jobs, handler, clock, "instance-a"), timeout.Token),
            DrainAsync(second.Jobs, Runner(second.Jobs, handler, clock, "instance-b"), timeout.Token));

        // Assert
        Assert.Equal(JobCount, handler.Runs.Count);
        Assert.All(handler.Runs, run => Assert.Equal(1, run.Value));
        Assert.Equal(JobCount, completions.Sum());
        Assert.True(completions.All(c => c > 0), $"both instances should have taken work: {string.Join(", ", completions)}");
        Assert.Equal(new JobQueueStats(0, 0, 0), await second.Jobs.GetStatsAsync(ct));
    }

    /// <summary>One instance's worker loop: claim a few, run them concurrently, until the queue is empty.</summary>
    private static async Task<int> DrainAsync(IJobQueue queue, JobRunner runner, CancellationToken cancellationToken)
    {
        var completed = 0;
        while (true)
        {
            var claimed = await queue.ClaimAsync(runner.WorkerId, TimeSpan.FromMinutes(5), 4, cancellationToken);
            if (claimed.Count == 0)
            {
                var stats = await queue.GetStatsAsync(cancellationToken);
                if (stats.Pending == 0 && stats.Leased == 0)
                {
                    return completed;
                }

                await Task.Yield(); // the other instance holds the rest
                continue;
            }

            var results = await Task.WhenAll(claimed.Select(job => runner.RunAsync(job, cancellationToken)));
            completed += results.Count(r => r);
        }
    }

    private static JobRunner Runner(IJobQueue queue, IJobHandler handler, TimeProvider clock, string workerId) =>
        new(queue, [handler], Options.Create(new JobOptions { WorkerId = workerId }), clock, NullLogger<JobRunner>.Instance);

    private sealed class RecordingHandler : IJobHandler
    {
        public const string JobKind = "test.record";

        public ConcurrentDictionary<string, int> Runs { get; } = new();

        public string Kind => JobKind;

        public async Task HandleAsync(Job job, CancellationToken cancellationToken)
        {
            Runs.AddOrUpdate(job.Payload, 1, (_, n) => n + 1);
            await Task.Yield();
        }
    }
}
