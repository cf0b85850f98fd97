using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Orchestrator.Http;
using Orchestrator.Storage;

namespace Orchestrator.GitHub;

/// <summary>
/// POST /github/webhooks: size, signature, headers, parse, store (with its processing job), then 2xx.
/// Nothing is acknowledged before it is stored; a redelivery of a stored id is acknowledged without effect.
/// </summary>
public sealed partial class WebhookEndpoint
{
    public static async Task<IResult> HandleAsync(
        HttpContext context,
        WebhookSignature signature,
        IWebhookInbox inbox,
        GitHubEventCatalog events,
        TimeProvider time,
        IOptions<GitHubOptions> options,
        Telemetry.OrchestratorMetrics metrics,
        ILogger<WebhookEndpoint> logger)
    {
        var (body, refusal) = await VerifiedBody.ReadAsync(
            context,
            "github",
            signature.IsConfigured ? null : "Orchestrator:GitHub:WebhookSecrets",
            options.Value.MaxBodyBytes,
            (headers, bytes) => signature.Verify(headers["X-Hub-Signature-256"], bytes),
            metrics,
            logger);
        if (body is null)
        {
            return refusal!;
        }

        var headers = context.Request.Headers;
        string? eventName = headers["X-GitHub-Event"];
        string? deliveryId = headers["X-GitHub-Delivery"];
        if (string.IsNullOrWhiteSpace(eventName) || string.IsNullOrWhiteSpace(deliveryId) || deliveryId.Length > 100)
        {
            return Problems.Of(context, StatusCodes.Status400BadRequest, "Missing headers", "X-GitHub-Event and X-GitHub-Delivery are required.");
        }

        string? action;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Problems.Of(context, StatusCodes.Status400BadRequest, "Invalid payload", "The payload must be a JSON object.");
            }

            action = document.RootElement.TryGetProperty("action", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
        }
        catch (JsonException)
        {
            return Problems.Of(context, StatusCodes.Status400BadRequest, "Invalid payload", "The payload is not valid JSON.");
        }

        long? hookId = long.TryParse(headers["X-GitHub-Hook-ID"], NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
        var delivery = new WebhookDelivery(deliveryId, eventName, action, hookId, time.GetUtcNow(), body);

        // Only a delivery the event table acts on gets a processing job; the others are stored for replay alone.
        var withJob = IsRouted(events, eventName, action);
        var fields = Telemetry.RequestLogFields.Of(context);
        fields.DeliveryId = deliveryId;
        AcceptOutcome outcome;
        try
        {
            outcome = withJob
                ? await inbox.AcceptAsync(delivery, context.RequestAborted)
                : await inbox.StoreWithoutJobAsync(delivery, context.RequestAborted);
        }
        catch (StoreUnavailableException ex)
        {
            Log.StoreUnavailable(logger, ex, deliveryId);
            return Problems.StoreUnavailable(context);
        }

        var status = outcome == AcceptOutcome.Duplicate ? "duplicate" : withJob ? "queued" : "stored";
        fields.Outcome = action is null ? $"{eventName} {status}" : $"{eventName}.{action} {status}";
        Log.Accepted(logger, deliveryId, eventName, action ?? "-", outcome);
        metrics.WebhookStored(eventName, outcome == AcceptOutcome.Duplicate);
        var answer = new WebhookAnswer(deliveryId, status);
        return outcome == AcceptOutcome.Accepted && eventName != "ping"
            ? Results.Json(answer, GitHubJsonContext.Default.WebhookAnswer, statusCode: StatusCodes.Status202Accepted)
            : Results.Json(answer, GitHubJsonContext.Default.WebhookAnswer);
    }

    private static bool IsRouted(GitHubEventCatalog events, string eventName, string? action)
    {
        foreach (var route in events.All)
        {
            if (route.Matches(eventName, action))
            {
                return true;
            }
        }

        return false;
    }

    private static partial class Log
    {
        // Debug: the request's own line (Orchestrator.Requests) carries the delivery id and this outcome at Information.
        [LoggerMessage(EventId = 201, Level = LogLevel.Debug, Message = "Delivery {DeliveryId} ({Event}.{Action}) {Outcome}")]
        public static partial void Accepted(ILogger logger, string deliveryId, string @event, string action, AcceptOutcome outcome);

        [LoggerMessage(EventId = 202, Level = LogLevel.Error, Message = "Delivery {DeliveryId} not stored: the store is unavailable")]
        public static partial void StoreUnavailable(ILogger logger, Exception exception, string deliveryId);
    }
}

public sealed record WebhookAnswer(string Delivery, string Status);
