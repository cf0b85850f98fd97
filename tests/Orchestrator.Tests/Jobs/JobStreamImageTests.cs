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
    public void The_idempotency_item_written_beside_a_job_is_ignored()
    {
        var key = DynamoJobQueue.EnqueueWrites("jobs", new JobRequest("test.job", "k3", "p"), "01JOBKEY", Now).First().Put.Item;
        var record = Deserialize(StreamEvents.Record(ToStreamImage(key)));

        Assert.Equal(JobStreamAction.Ignore, JobStreamImage.Decide(record, Now).Action);
    }

    [Fact]
    public void The_template_filter_lets_through_what_the_store_writes_for_a_waiting_job()
    {
        // The filter pattern asks for pk prefix "job#" and queue "pending" (TemplateTests checks the template side).
        var item = DynamoJobQueue.EnqueueWrites("jobs", new JobRequest("test.job", "k4", "p"), "01JOBFILTER", Now).Last().Put.Item;

        Assert.StartsWith(JobStreamImage.KeyPrefix, item[DynamoSchema.PartitionKey].S, StringComparison.Ordinal);
        Assert.Equal(JobStreamImage.PendingQueue, item[JobStreamImage.QueueAttribute].S);
    }

    private static DynamoDbStreamRecord RecordOf(JobRequest request, string jobId)
    {
        var item = DynamoJobQueue.EnqueueWrites("orchestrator-test-jobs", request, jobId, Now).Last().Put.Item;
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
