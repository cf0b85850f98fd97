using System.Text;
using Microsoft.Extensions.Primitives;
using Octokit.Webhooks;
using Orchestrator.Storage;

namespace Orchestrator.GitHub;

/// <summary>A stored delivery with its payload read into Octokit.Webhooks' model for the event.</summary>
public sealed record GitHubEvent(WebhookDelivery Delivery, WebhookEvent Payload);

public interface IGitHubEventHandler
{
    Task HandleAsync(GitHubEvent gitHubEvent, CancellationToken cancellationToken);
}

/// <summary>One row of the event table: which handler runs for an event and (optionally) one of its actions.</summary>
public sealed record GitHubEventRoute(string Event, string? Action, string Description, Type Handler)
{
    public bool Matches(string eventName, string? action) =>
        string.Equals(Event, eventName, StringComparison.Ordinal)
        && (Action is null || string.Equals(Action, action, StringComparison.Ordinal));
}

/// <summary>Reads payloads with Octokit.Webhooks' models (its deserializer is protected on the processor).</summary>
public sealed class WebhookEventReader : WebhookEventProcessor
{
    public WebhookEvent Read(WebhookDelivery delivery)
    {
        var headers = new Dictionary<string, StringValues>(StringComparer.OrdinalIgnoreCase)
        {
            ["X-GitHub-Event"] = delivery.Event,
            ["X-GitHub-Delivery"] = delivery.DeliveryId,
        };
        if (delivery.HookId is { } hookId)
        {
            headers["X-GitHub-Hook-ID"] = hookId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return DeserializeWebhookEvent(WebhookHeaders.Parse(headers), Encoding.UTF8.GetString(delivery.Payload));
    }
}
