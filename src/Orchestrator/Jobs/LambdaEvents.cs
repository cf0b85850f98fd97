using System.Text.Json;
using Microsoft.Extensions.Options;
using Orchestrator.Http;
using Orchestrator.Storage;

namespace Orchestrator.Jobs;

/// <summary>
/// POST {Orchestrator:Worker:EventsPath} (default /events): the Lambda Web Adapter's pass-through path. For an event
/// that is not an HTTP request (DynamoDB Streams, EventBridge) the adapter POSTs the raw event here and returns our
/// answer to Lambda. Mapped only when Orchestrator:Worker:EventsEnabled is true, i.e. on the worker function; the HTTP
/// API routes only /discord/interactions, /github/webhooks and /healthz, so this path is reachable only through the
/// adapter (an invocation of the worker function), never from the internet.
/// </summary>
public sealed partial class LambdaEvents
{
    public const string DynamoDbSource = "aws:dynamodb";
    public const string ScheduleSource = "aws.events";
    public const string ScheduleDetailType = "Scheduled Event";

    public static async Task<IResult> HandleAsync(
        HttpContext context,
        StreamBatchProcessor streams,
        ScheduledTick tick,
        IOptions<JobOptions> options,
        ILogger<LambdaEvents> logger)
    {
        var cancellationToken = context.RequestAborted;
        var maxBytes = options.Value.MaxEventBytes;
        var body = await RequestBody.ReadAsync(context.Request, maxBytes, cancellationToken);
        if (body is null)
        {
            return Problems.TooLarge(context, maxBytes);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return Unknown(context, "The body is not JSON.");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Unknown(context, "The event is not a JSON object.");
            }

            if (root.TryGetProperty("Records", out var records) && records.ValueKind == JsonValueKind.Array)
            {
                return await StreamAsync(context, root, records, streams, cancellationToken);
            }

            if (ReadString(root, "source") == ScheduleSource && ReadString(root, "detail-type") == ScheduleDetailType)
            {
                return await TickAsync(context, tick, logger, cancellationToken);
            }

            return Unknown(context, "Expected a DynamoDB Streams batch (Records[].eventSource \"aws:dynamodb\") or an EventBridge scheduled event (source \"aws.events\", detail-type \"Scheduled Event\").");
        }
    }

    private static async Task<IResult> StreamAsync(
        HttpContext context,
        JsonElement root,
        JsonElement records,
        StreamBatchProcessor streams,
        CancellationToken cancellationToken)
    {
        foreach (var record in records.EnumerateArray())
        {
            var source = record.ValueKind == JsonValueKind.Object ? ReadString(record, "eventSource") : null;
            if (source != DynamoDbSource)
            {
                return Unknown(context, $"Records from '{source ?? "(no eventSource)"}' are not handled; only DynamoDB Streams records are.");
            }
        }

        DynamoDbStreamEvent? batch;
        try
        {
            batch = root.Deserialize(LambdaEventsJsonContext.Default.DynamoDbStreamEvent);
        }
        catch (JsonException)
        {
            return Unknown(context, "The DynamoDB Streams batch does not have the documented shape.");
        }

        var list = batch?.Records ?? [];
        if (list.Any(r => string.IsNullOrEmpty(r.DynamoDb?.SequenceNumber)))
        {
            // Without a sequence number a failure could not be reported, so the batch is refused whole.
            return Unknown(context, "A record has no dynamodb.SequenceNumber.");
        }

        var result = await streams.ProcessAsync(list, cancellationToken);
        var answer = new StreamBatchResponse([.. result.FailedSequenceNumbers.Select(s => new BatchItemFailure(s))]);
        return Results.Json(answer, LambdaEventsJsonContext.Default.StreamBatchResponse);
    }

    private static async Task<IResult> TickAsync(HttpContext context, ScheduledTick tick, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            var answer = await tick.RunAsync(cancellationToken);
            return Results.Json(answer, LambdaEventsJsonContext.Default.ScheduledTickResponse);
        }
        catch (StoreUnavailableException ex)
        {
            Log.TickFailed(logger, ex);
            return Problems.StoreUnavailable(context);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.TickFailed(logger, ex);
            return Problems.Of(context, StatusCodes.Status500InternalServerError, "Tick failed", "The queue could not be drained; the next tick tries again.");
        }
    }

    private static IResult Unknown(HttpContext context, string reason) =>
        Problems.Of(context, StatusCodes.Status400BadRequest, "Unknown event", reason);

    private static string? ReadString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static partial class Log
    {
        [LoggerMessage(EventId = 370, Level = LogLevel.Error, Message = "Scheduled tick failed")]
        public static partial void TickFailed(ILogger logger, Exception exception);
    }
}
