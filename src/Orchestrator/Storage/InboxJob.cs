namespace Orchestrator.Storage;

/// <summary>The processing job that <see cref="IWebhookInbox.AcceptAsync"/> enqueues with each new delivery.</summary>
public static class InboxJob
{
    public const string Kind = "github.webhook";

    /// <summary>The payload is the delivery id; the body stays in the inbox.</summary>
    public static JobRequest For(WebhookDelivery delivery) => new(Kind, "delivery:" + delivery.DeliveryId, delivery.DeliveryId, delivery.ReceivedAt);
}
