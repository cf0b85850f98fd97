using System.Text.Json;
using Orchestrator.Jobs;
using Orchestrator.Storage;

namespace Orchestrator.GitHub;

/// <summary>Processes a stored delivery: reads it with Octokit.Webhooks' models and runs the matching routes of the <see cref="GitHubEventCatalog"/>.</summary>
public sealed partial class WebhookJobHandler(
    IWebhookInbox inbox,
    WebhookEventReader reader,
    GitHubEventCatalog events,
    IServiceScopeFactory scopes,
    ILogger<WebhookJobHandler> logger) : IJobHandler
{
    public string Kind => InboxJob.Kind;

    public async Task HandleAsync(Storage.Job job, CancellationToken cancellationToken)
    {
        var delivery = await inbox.GetAsync(job.Payload, cancellationToken)
            ?? throw new PermanentJobFailureException($"Delivery {job.Payload} is not in the inbox (expired or never stored).");

        using var scope = logger.BeginScope(new Dictionary<string, object?> { ["DeliveryId"] = delivery.DeliveryId });
        var routes = events.Matching(delivery.Event, delivery.Action);
        if (routes.Count == 0)
        {
            Log.Unhandled(logger, delivery.DeliveryId, delivery.Event, delivery.Action);
            return;
        }

        Octokit.Webhooks.WebhookEvent payload;
        try
        {
            payload = reader.Read(delivery);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or ArgumentException or FormatException)
        {
            throw new PermanentJobFailureException($"Delivery {delivery.DeliveryId} could not be read as a {delivery.Event} event: {ex.Message}", ex);
        }

        var gitHubEvent = new GitHubEvent(delivery, payload);
        await using var services = scopes.CreateAsyncScope();
        foreach (var route in routes)
        {
            var handler = (IGitHubEventHandler)services.ServiceProvider.GetRequiredService(route.Handler);
            await handler.HandleAsync(gitHubEvent, cancellationToken);
        }

        Log.Handled(logger, delivery.DeliveryId, delivery.Event, delivery.Action, routes.Count);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 220, Level = LogLevel.Information, Message = "Delivery {DeliveryId} ({Event}.{Action}) has no handler; stored and acknowledged only")]
        public static partial void Unhandled(ILogger logger, string deliveryId, string @event, string? action);

        [LoggerMessage(EventId = 221, Level = LogLevel.Information, Message = "Delivery {DeliveryId} ({Event}.{Action}) handled by {Count} handler(s)")]
        public static partial void Handled(ILogger logger, string deliveryId, string @event, string? action, int count);
    }
}
