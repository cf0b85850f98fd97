using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Jobs;

namespace Orchestrator.Tests.Jobs;

public sealed class JobWorkerPeriodicTests
{
    [Fact]
    public async Task The_hosted_worker_runs_periodic_tasks_at_start_and_then_each_interval()
    {
        // Arrange
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T09:00:00Z", CultureInfo.InvariantCulture));
        var queue = new FaultyJobQueue(clock);
        var options = Options.Create(new JobOptions { PeriodicInterval = TimeSpan.FromMinutes(1), PollInterval = TimeSpan.FromSeconds(1) });
        var runs = 0;
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var task = new DelegateTask("sweep", _ =>
        {
            (Interlocked.Increment(ref runs) == 1 ? first : second).TrySetResult();
            return Task.CompletedTask;
        });
        var runner = new JobRunner(queue, [], options, clock, NullLogger<JobRunner>.Instance);
        using var worker = new JobWorker(queue, runner, new PeriodicTaskRunner([task], NullLogger<PeriodicTaskRunner>.Instance), options, clock, NullLogger<JobWorker>.Instance);
        var cancellationToken = TestContext.Current.CancellationToken;

        // Act
        await worker.StartAsync(cancellationToken);
        await first.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        var afterStart = Volatile.Read(ref runs);

        // Polls before the interval do not run it again; the poll after the interval does.
        for (var i = 0; i < 59 && !second.Task.IsCompleted; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(5, cancellationToken);
        }

        var beforeInterval = Volatile.Read(ref runs);
        while (!second.Task.IsCompleted)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(second.Task, Task.Delay(20, cancellationToken));
        }

        await worker.StopAsync(cancellationToken);

        // Assert
        Assert.Equal(1, afterStart);
        Assert.Equal(1, beforeInterval);
        Assert.Equal(2, Volatile.Read(ref runs));
    }
}
