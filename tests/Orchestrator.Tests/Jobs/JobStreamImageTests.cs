using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2.Model;
using Orchestrator.Jobs;
using Orchestrator.Storage;
using Orchestrator.Storage.DynamoDb;

namespace Orchestrator.Tests.Jobs;

/// <summary>The stream reader agrees with the items the DynamoDB store writes (its own enqueue writes, not a copy).</summary>
public sealed class JobStreamImageTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-25T09:00:00Z", CultureInfo.InvariantCulture);

    [Fact]
    public void A_job_the_DynamoDB_store_enqueues_for_now_is_claimed_from_its_stream_record()
    {
        var record = RecordOf(new JobRequest("test.job", "k1", "p"), "01JOBNOW");

        var decision = JobStreamImage.Decide(record, Now);

        Assert.Equal(JobStreamDecision.Claim("01JOBNOW"), decision);
    }

    [Fact]
    public void A_job_the_DynamoDB_store_enqueues_for_later_is_left_to_the_schedule()
    {
        var record = RecordOf(new JobRequest("test.job", "k2", "p", Now.AddMinutes(30)), "01JOBLATER");

        var decision = JobStreamImage.Decide(record, Now);

        Assert.Equal(JobStreamDecision.Later("01JOBLATER"), decision);
    }

    [Fact]
    public void A_claimed_job_that_keeps_its_pending_shard_is_ignored()
    {
        var item = DynamoJobQueue.EnqueuePut("jobs", new JobRequest("test.job", "k3", "p"), "01JOBKEY", Now).Item;
        item[JobStreamImage.StateAttribute] = new AttributeValue { S = nameof(JobState.Leased) };
        var record = Deserialize(StreamEvents.Record(ToStreamImage(item)));

        Assert.Equal(JobStreamDecision.Ignore("state Leased", "01JOBKEY"), JobStreamImage.Decide(record, Now));
    }

    [Fact]
    public void The_template_filter_lets_through_what_the_store_writes_for_a_waiting_job()
    {
        // The filter pattern asks for pk prefix "job#", queue prefix "pending#" and state Pending (TemplateTests checks the template side).
        var item = DynamoJobQueue.EnqueuePut("jobs", new JobRequest("test.job", "k4", "p"), "01JOBFILTER", Now).Item;

        Assert.StartsWith(JobStreamImage.KeyPrefix, item[DynamoSchema.PartitionKey].S, StringComparison.Ordinal);
        Assert.StartsWith(JobStreamImage.PendingQueuePrefix, item[JobStreamImage.QueueAttribute].S, StringComparison.Ordinal);
        Assert.Equal(nameof(JobState.Pending), item[JobStreamImage.StateAttribute].S);
    }

    private static DynamoDbStreamRecord RecordOf(JobRequest request, string jobId)
    {
        var item = DynamoJobQueue.EnqueuePut("orchestrator-test-jobs", request, jobId, Now).Item;
        return Deserialize(StreamEvents.Record(ToStreamImage(item)));
    }

    private static DynamoDbStreamRecord Deserialize(JsonObject record) =>
        JsonSerializer.Deserialize(StreamEvents.Batch(record), LambdaEventsJsonContext.Default.DynamoDbStreamEvent)!.Records!.Single();

    /// <summary>An item as DynamoDB Streams renders it (DynamoDB JSON), for the attribute kinds the store uses.</summary>
    private static JsonObject ToStreamImage(Dictionary<string, AttributeValue> item)
    {
        var image = new JsonObject();
        foreach (var (name, value) in item)
        {
            image[name] = value switch
            {
                { S: { } s } => new JsonObject { ["S"] = s },
                { N: { } n } => new JsonObject { ["N"] = n },
                { BOOL: { } b } => new JsonObject { ["BOOL"] = b },
                _ => throw new NotSupportedException($"Attribute {name} has a kind this test does not render."),
            };
        }

        return image;
    }
}
