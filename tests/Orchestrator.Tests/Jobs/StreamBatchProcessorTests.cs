using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Jobs;
using Orchestrator.Storage;

namespace Orchestrator.Tests.Jobs;

public sealed class StreamBatchProcessorTests
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-25T09:00:00Z", CultureInfo.InvariantCulture));
    private readonly FaultyJobQueue _queue;
    private readonly ScriptedHandler _handler = new();
    private readonly StreamBatchProcessor _processor;

    public StreamBatchProcessorTests()
    {
        _queue = new FaultyJobQueue(_clock);
        var options = Options.Create(new JobOptions { Concurrency = 2 });
        var runner = new JobRunner(_queue, [_handler], options, _clock, NullLogger<JobRunner>.Instance);
        _processor = new StreamBatchProcessor(_queue, runner, options, _clock, NullLogger<StreamBatchProcessor>.Instance);
    }

    [Fact]
    public async Task A_pending_job_due_now_is_claimed_and_run()
    {
        // Arrange
        var id = await EnqueueAsync("a");

        // Act
        var result = await ProcessAsync(StreamEvents.Record(StreamEvents.PendingJobImage(id, _clock.GetUtcNow())));

        // Assert
        Assert.Equal(1, result.Completed);
        Assert.Empty(result.FailedSequenceNumbers);
        Assert.Equal(JobState.Completed, (await _queue.GetAsync(id, TestContext.Current.CancellationToken))!.State);
    }

    [Fact]
    public async Task A_job_due_later_is_left_to_the_scheduled_drain()
    {
        var id = await EnqueueAsync("later", _clock.GetUtcNow().AddMinutes(10));

        var result = await ProcessAsync(StreamEvents.Record(StreamEvents.PendingJobImage(id, _clock.GetUtcNow().AddMinutes(10)), "MODIFY"));

        Assert.Equal(1, result.Deferred);
        Assert.Empty(_handler.Ran);
        Assert.Equal(JobState.Pending, (await _queue.GetAsync(id, TestContext.Current.CancellationToken))!.State);
    }

    [Fact]
    public async Task A_job_whose_handler_fails_is_requeued_by_the_runner_and_is_not_a_batch_failure()
    {
        var id = await EnqueueAsync("flaky");
        _handler.Failing.Add("flaky");

        var result = await ProcessAsync(StreamEvents.Record(StreamEvents.PendingJobImage(id, _clock.GetUtcNow())));

        Assert.Empty(result.FailedSequenceNumbers);
        Assert.Equal(1, result.Failed);
        var job = (await _queue.GetAsync(id, TestContext.Current.CancellationToken))!;
        Assert.Equal(JobState.Pending, job.State);
        Assert.Contains("scripted failure", job.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_error_is_a_batch_item_failure_and_the_other_jobs_still_run()
    {
        // Arrange
        var ok = await EnqueueAsync("ok");
        var broken = await EnqueueAsync("broken");
        _queue.FailClaimsOf.Add(broken);
        var okRecord = StreamEvents.Record(StreamEvents.PendingJobImage(ok, _clock.GetUtcNow()));
        var brokenRecord = StreamEvents.Record(StreamEvents.PendingJobImage(broken, _clock.GetUtcNow()));

        // Act
        var result = await ProcessAsync(brokenRecord, okRecord);

        // Assert
        Assert.Equal([StreamEvents.SequenceOf(brokenRecord)], result.FailedSequenceNumbers);
        Assert.Equal(JobState.Completed, (await _queue.GetAsync(ok, TestContext.Current.CancellationToken))!.State);
        Assert.Equal(JobState.Pending, (await _queue.GetAsync(broken, TestContext.Current.CancellationToken))!.State);
    }

    [Fact]
    public async Task Records_that_are_not_pending_jobs_are_ignored_without_failing()
    {
        var done = await EnqueueAsync("done");
        var completedImage = StreamEvents.PendingJobImage(done, _clock.GetUtcNow());
        completedImage.Remove("queue");
        completedImage["state"] = new JsonObject { ["S"] = "Completed" };
        var idempotencyKey = new JsonObject { ["pk"] = new JsonObject { ["S"] = "key#delivery:1" }, ["jobId"] = new JsonObject { ["S"] = done } };
        var other = await EnqueueAsync("other");
        var leased = StreamEvents.PendingJobImage(other, _clock.GetUtcNow());
        leased["queue"] = new JsonObject { ["S"] = "leased" };

        var result = await ProcessAsync(
            StreamEvents.Record(idempotencyKey),
            StreamEvents.Record(completedImage, "MODIFY"),
            StreamEvents.Record(leased, "MODIFY"),
            StreamEvents.Record(null, "REMOVE"));

        Assert.Empty(result.FailedSequenceNumbers);
        Assert.Empty(_handler.Ran);
        Assert.Equal(4, result.Ignored);
    }

    [Fact]
    public async Task A_job_another_worker_already_took_is_not_a_failure()
    {
        var id = await EnqueueAsync("taken");
        await _queue.ClaimByIdAsync(id, "other-worker", TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);

        var result = await ProcessAsync(StreamEvents.Record(StreamEvents.PendingJobImage(id, _clock.GetUtcNow())));

        Assert.Equal(1, result.NotClaimable);
        Assert.Empty(result.FailedSequenceNumbers);
        Assert.Empty(_handler.Ran);
    }

    [Fact]
    public async Task Several_records_of_one_job_run_it_once()
    {
        var id = await EnqueueAsync("once");
        var image = StreamEvents.PendingJobImage(id, _clock.GetUtcNow());

        var result = await ProcessAsync(StreamEvents.Record(image), StreamEvents.Record((JsonObject)image.DeepClone(), "MODIFY"));

        Assert.Equal(["once"], _handler.Ran);
        Assert.Equal(1, result.Completed);
    }

    [Theory]
    [InlineData("no-key")]
    [InlineData("empty-id")]
    [InlineData("bad-due")]
    public async Task An_unreadable_job_record_is_reported_as_a_batch_item_failure(string damage)
    {
        // A record DynamoDB could not have written: retried, then dropped by the mapping; the table keeps the job.
        var image = StreamEvents.PendingJobImage("J9999", _clock.GetUtcNow());
        switch (damage)
        {
            case "no-key":
                image.Remove("pk");
                break;
            case "empty-id":
                image["pk"] = new JsonObject { ["S"] = "job#" };
                break;
            default:
                image["dueAt"] = new JsonObject { ["S"] = "soon" };
                break;
        }

        var record = StreamEvents.Record(image);
        var result = await ProcessAsync(record);

        Assert.Equal([StreamEvents.SequenceOf(record)], result.FailedSequenceNumbers);
    }

    private async Task<string> EnqueueAsync(string payload, DateTimeOffset? due = null) =>
        (await _queue.EnqueueAsync(new JobRequest("test.job", payload, payload, due), TestContext.Current.CancellationToken)).JobId;

    private Task<StreamBatchResult> ProcessAsync(params JsonObject[] records)
    {
        var batch = JsonSerializer.Deserialize(StreamEvents.Batch(records), LambdaEventsJsonContext.Default.DynamoDbStreamEvent)!;
        return _processor.ProcessAsync(batch.Records!, TestContext.Current.CancellationToken);
    }
}
