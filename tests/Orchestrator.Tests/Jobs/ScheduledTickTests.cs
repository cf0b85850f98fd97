using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Jobs;
using Orchestrator.Storage;

namespace Orchestrator.Tests.Jobs;

public sealed class ScheduledTickTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-25T09:00:00Z", CultureInfo.InvariantCulture));
    private readonly FaultyJobQueue _queue;
    private readonly ScriptedHandler _handler = new();
    private readonly StringWriter _stdout = new();
    private readonly JobOptions _options = new() { Concurrency = 1, FunctionTimeoutSeconds = 60, DrainBudgetFraction = 0.8 };

    public ScheduledTickTests() => _queue = new FaultyJobQueue(_clock);

    public void Dispose() => _stdout.Dispose();

    [Fact]
    public async Task A_tick_runs_the_periodic_tasks_then_drains_due_jobs_and_writes_queue_metrics()
    {
        // Arrange: the sweep enqueues a job, which the same tick then runs; one job was dead-lettered before.
        var sweep = new DelegateTask("runs.sweep", ct => _queue.EnqueueAsync(new JobRequest("test.job", "swept", "swept"), ct));
        var dead = (await _queue.EnqueueAsync(new JobRequest("test.job", "dead", "dead"), TestContext.Current.CancellationToken)).JobId;
        var claimed = (await _queue.ClaimByIdAsync(dead, "w", TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken))!;
        await _queue.FailAsync(claimed, "gone", null, TestContext.Current.CancellationToken);

        // Act
        var answer = await Tick(sweep).RunAsync(TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal([new PeriodicTaskResult("runs.sweep", true, answer.PeriodicTasks[0].ElapsedMs)], answer.PeriodicTasks);
        Assert.Equal(["swept"], _handler.Ran);
        Assert.Equal(new DrainResult(1, 1, 0, 0, false), answer.Drain);

        var line = Assert.Single(_stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var emf = JsonNode.Parse(line)!;
        Assert.Equal(_clock.GetUtcNow().ToUnixTimeMilliseconds(), emf["_aws"]!["Timestamp"]!.GetValue<long>());
        var directive = emf["_aws"]!["CloudWatchMetrics"]![0]!;
        Assert.Equal("Orchestrator", directive["Namespace"]!.GetValue<string>());
        Assert.Equal("Stage", directive["Dimensions"]![0]![0]!.GetValue<string>());
        var names = directive["Metrics"]!.AsArray().Select(m => m!["Name"]!.GetValue<string>()).ToList();
        Assert.All(names, n => Assert.NotNull(emf[n]));
        Assert.Equal("test", emf["Stage"]!.GetValue<string>());
        Assert.Equal(1, emf[QueueMetrics.JobsDeadLettered]!.GetValue<long>());
        Assert.Equal(0, emf[QueueMetrics.JobsPending]!.GetValue<long>());
        Assert.Equal(1, emf[QueueMetrics.JobsRun]!.GetValue<long>());
    }

    [Fact]
    public async Task Jobs_a_periodic_task_enqueues_under_a_tick_s_span_carry_no_trace_context()
    {
        // Arrange: the tick runs in a span, as the Lambda event's request does.
        string? swept = null;
        var sweep = new DelegateTask("runs.sweep", async ct => swept = (await _queue.EnqueueAsync(new JobRequest("test.job", "swept", "swept"), ct)).JobId);
        using var tick = new Activity("tick").SetIdFormat(ActivityIdFormat.W3C).Start();

        // Act
        await Tick(sweep).RunAsync(TestContext.Current.CancellationToken);

        // Assert
        Assert.Same(tick, Activity.Current);
        Assert.NotNull(swept);
        Assert.Null((await _queue.GetAsync(swept, TestContext.Current.CancellationToken))?.TraceParent);
        Assert.Equal(["swept"], _handler.Ran);
    }

    [Fact]
    public async Task A_failing_periodic_task_does_not_stop_the_others_or_the_drain()
    {
        await _queue.EnqueueAsync(new JobRequest("test.job", "due", "due"), TestContext.Current.CancellationToken);
        var broken = new DelegateTask("broken", _ => throw new InvalidOperationException("boom"));
        var ran = false;
        var fine = new DelegateTask("fine", _ =>
        {
            ran = true;
            return Task.CompletedTask;
        });

        var answer = await Tick(broken, fine).RunAsync(TestContext.Current.CancellationToken);

        Assert.True(ran);
        Assert.Equal([false, true], answer.PeriodicTasks.Select(r => r.Succeeded));
        Assert.Equal(1, answer.Drain.Completed);
        Assert.Contains($"\"{QueueMetrics.PeriodicTaskFailures}\":1", _stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_drain_stops_claiming_when_its_share_of_the_function_timeout_is_spent()
    {
        // Arrange: 48 s of a 60 s timeout; each job takes 30 s, so the third round would start too late.
        for (var i = 0; i < 3; i++)
        {
            await _queue.EnqueueAsync(new JobRequest("test.job", $"slow{i}", $"slow{i}"), TestContext.Current.CancellationToken);
        }

        _handler.OnRun = _ =>
        {
            _clock.Advance(TimeSpan.FromSeconds(30));
            return Task.CompletedTask;
        };

        // Act
        var answer = await Tick().RunAsync(TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal(new DrainResult(2, 2, 0, 0, BudgetExhausted: true), answer.Drain);
        Assert.Equal(1, answer.Pending);
    }

    [Fact]
    public async Task A_store_outage_fails_the_tick()
    {
        _queue.FailAllClaims = true;

        await Assert.ThrowsAsync<StoreUnavailableException>(() => Tick().RunAsync(TestContext.Current.CancellationToken));
        Assert.Empty(_stdout.ToString());
    }

    [Fact]
    public void No_metric_line_is_written_unless_enabled()
    {
        var metrics = new QueueMetrics(Options.Create(new MetricsOptions()), _clock, _stdout);

        metrics.Emit(new JobQueueStats(1, 2, 3), new DrainResult(0, 0, 0, 0, false), 0);

        Assert.Empty(_stdout.ToString());
    }

    private ScheduledTick Tick(params IPeriodicTask[] tasks)
    {
        var options = Options.Create(_options);
        var runner = new JobRunner(_queue, [_handler], options, _clock, NullLogger<JobRunner>.Instance);
        var drain = new QueueDrain(_queue, runner, options, _clock, NullLogger<QueueDrain>.Instance);
        var metrics = new QueueMetrics(Options.Create(new MetricsOptions { EmbeddedMetricFormat = true, Stage = "test" }), _clock, _stdout);
        return new ScheduledTick(new PeriodicTaskRunner(tasks, NullLogger<PeriodicTaskRunner>.Instance), drain, _queue, metrics, options, _clock, NullLogger<ScheduledTick>.Instance);
    }
}

/// <summary>A periodic task made of a delegate.</summary>
public sealed class DelegateTask(string name, Func<CancellationToken, Task> run) : IPeriodicTask
{
    public string Name => name;

    public Task RunAsync(CancellationToken cancellationToken) => run(cancellationToken);
}
