using System.Globalization;
using System.Text.Json.Nodes;

namespace Orchestrator.Tests.Jobs;

/// <summary>
/// Builds the events Lambda hands to the worker, in the documented shapes: DynamoDB Streams records (DynamoDB JSON
/// images) and EventBridge scheduled events.
/// </summary>
public static class StreamEvents
{
    private static int _sequence = 100;

    public static string NextSequence() => Interlocked.Increment(ref _sequence).ToString("D21", CultureInfo.InvariantCulture);

    /// <summary>The image the DynamoDB store writes for a job waiting to run (its item is named by the id's hash part).</summary>
    public static JsonObject PendingJobImage(string jobId, DateTimeOffset dueAt) => new()
    {
        ["pk"] = S("job#" + jobId[(jobId.LastIndexOf('-') + 1)..]),
        ["id"] = S(jobId),
        ["kind"] = S("test.job"),
        ["state"] = S("Pending"),
        ["queue"] = S("pending#0"),
        ["dueAt"] = S(dueAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)),
        ["attempts"] = new JsonObject { ["N"] = "0" },
    };

    public static JsonObject Record(JsonObject? newImage, string eventName = "INSERT", string? sequence = null)
    {
        var dynamodb = new JsonObject
        {
            ["ApproximateCreationDateTime"] = 1_795_000_000,
            ["SequenceNumber"] = sequence ?? NextSequence(),
            ["SizeBytes"] = 120,
            ["StreamViewType"] = "NEW_IMAGE",
        };
        if (newImage is not null)
        {
            dynamodb["Keys"] = new JsonObject { ["pk"] = newImage["pk"]?.DeepClone() };
            dynamodb["NewImage"] = newImage;
        }

        return new JsonObject
        {
            ["eventID"] = Guid.NewGuid().ToString("N"),
            ["eventName"] = eventName,
            ["eventVersion"] = "1.1",
            ["eventSource"] = "aws:dynamodb",
            ["awsRegion"] = "eu-west-1",
            ["dynamodb"] = dynamodb,
            ["eventSourceARN"] = "arn:aws:dynamodb:eu-west-1:123456789012:table/orchestrator-test-jobs/stream/2026-11-25T00:00:00.000",
        };
    }

    public static string Batch(params JsonObject[] records) => new JsonObject { ["Records"] = new JsonArray(records) }.ToJsonString();

    public static string Scheduled(DateTimeOffset at) => new JsonObject
    {
        ["version"] = "0",
        ["id"] = Guid.NewGuid().ToString(),
        ["detail-type"] = "Scheduled Event",
        ["source"] = "aws.events",
        ["account"] = "123456789012",
        ["time"] = at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        ["region"] = "eu-west-1",
        ["resources"] = new JsonArray("arn:aws:events:eu-west-1:123456789012:rule/orchestrator-test-worker-tick"),
        ["detail"] = new JsonObject(),
    }.ToJsonString();

    public static string SequenceOf(JsonObject record) => record["dynamodb"]!["SequenceNumber"]!.GetValue<string>();

    private static JsonObject S(string value) => new() { ["S"] = value };
}
