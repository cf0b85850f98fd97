namespace Orchestrator.Storage;

public enum AcceptOutcome
{
    /// <summary>Stored for the first time (with its processing job when one was asked for).</summary>
    Accepted,

    /// <summary>A delivery with this id was already stored: nothing was written.</summary>
    Duplicate,
}

/// <summary>
/// The durable inbox of GitHub deliveries. <see cref="AcceptAsync(WebhookDelivery, bool, CancellationToken)"/> stores the delivery and enqueues its
/// processing job in one atomic write, so an acknowledged delivery is never lost and never processed twice.
/// </summary>
public interface IWebhookInbox
{
    Task<AcceptOutcome> AcceptAsync(WebhookDelivery delivery, CancellationToken cancellationToken) =>
        AcceptAsync(delivery, withJob: true, cancellationToken);

    /// <summary>
    /// Stores the delivery; with <paramref name="withJob"/> its processing job in the same write. A delivery nothing
    /// acts on is stored without one (kept for replay), which spares the queue a claim and a completion per delivery.
    /// </summary>
    Task<AcceptOutcome> AcceptAsync(WebhookDelivery delivery, bool withJob, CancellationToken cancellationToken);

    Task<WebhookDelivery?> GetAsync(string deliveryId, CancellationToken cancellationToken);
}
