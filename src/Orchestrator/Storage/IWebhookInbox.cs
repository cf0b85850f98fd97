namespace Orchestrator.Storage;

public enum AcceptOutcome
{
    /// <summary>Stored for the first time (with its processing job, unless stored without one).</summary>
    Accepted,

    /// <summary>A delivery with this id was already stored: nothing was written.</summary>
    Duplicate,
}

/// <summary>
/// The durable inbox of GitHub deliveries. <see cref="AcceptAsync"/> stores the delivery and enqueues its
/// processing job in one atomic write, so an acknowledged delivery is never lost and never processed twice.
/// </summary>
public interface IWebhookInbox
{
    Task<AcceptOutcome> AcceptAsync(WebhookDelivery delivery, CancellationToken cancellationToken);

    /// <summary>
    /// Stores the delivery like <see cref="AcceptAsync"/>, deduplicated the same way, but without a processing job:
    /// for deliveries nothing acts on, kept for replay. It spares the queue a claim and a completion per delivery.
    /// </summary>
    Task<AcceptOutcome> StoreWithoutJobAsync(WebhookDelivery delivery, CancellationToken cancellationToken);

    Task<WebhookDelivery?> GetAsync(string deliveryId, CancellationToken cancellationToken);
}
