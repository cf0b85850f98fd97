using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Jobs;

// The shapes Lambda hands to a function for its event sources, which the Lambda Web Adapter passes through unchanged
// as the body of POST {AWS_LWA_PASS_THROUGH_PATH}. Only the fields we use are declared.

/// <summary>A DynamoDB Streams batch ("Records" with eventSource "aws:dynamodb").</summary>
public sealed record DynamoDbStreamEvent(
    [property: JsonPropertyName("Records")] IReadOnlyList<DynamoDbStreamRecord>? Records);

public sealed record DynamoDbStreamRecord(
    [property: JsonPropertyName("eventID")] string? EventId,
    [property: JsonPropertyName("eventName")] string? EventName,
    [property: JsonPropertyName("eventSource")] string? EventSource,
    [property: JsonPropertyName("dynamodb")] DynamoDbStreamData? DynamoDb);

/// <param name="NewImage">The item after the change, in DynamoDB JSON ({"S": "..."}, {"N": "..."}, ...).</param>
/// <param name="SequenceNumber">Identifies the record in "batchItemFailures".</param>
public sealed record DynamoDbStreamData(
    [property: JsonPropertyName("Keys")] Dictionary<string, JsonElement>? Keys,
    [property: JsonPropertyName("NewImage")] Dictionary<string, JsonElement>? NewImage,
    [property: JsonPropertyName("SequenceNumber")] string? SequenceNumber);

/// <summary>An EventBridge scheduled event ("source": "aws.events", "detail-type": "Scheduled Event").</summary>
public sealed record ScheduledEvent(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("source")] string? Source,
    [property: JsonPropertyName("detail-type")] string? DetailType,
    [property: JsonPropertyName("time")] DateTimeOffset? Time);

/// <summary>The partial-batch answer Lambda reads when the mapping has FunctionResponseTypes: [ReportBatchItemFailures].</summary>
public sealed record StreamBatchResponse(
    [property: JsonPropertyName("batchItemFailures")] IReadOnlyList<BatchItemFailure> BatchItemFailures);

public sealed record BatchItemFailure([property: JsonPropertyName("itemIdentifier")] string ItemIdentifier);

/// <summary>What a scheduled tick did; returned to Lambda and logged.</summary>
public sealed record ScheduledTickResponse(
    [property: JsonPropertyName("periodicTasks")] IReadOnlyList<PeriodicTaskResult> PeriodicTasks,
    [property: JsonPropertyName("drain")] DrainResult Drain,
    [property: JsonPropertyName("pending")] long? Pending,
    [property: JsonPropertyName("deadLettered")] long? DeadLettered);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(DynamoDbStreamEvent))]
[JsonSerializable(typeof(ScheduledEvent))]
[JsonSerializable(typeof(StreamBatchResponse))]
[JsonSerializable(typeof(ScheduledTickResponse))]
internal sealed partial class LambdaEventsJsonContext : JsonSerializerContext;
