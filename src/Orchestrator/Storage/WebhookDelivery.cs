namespace Orchestrator.Storage;

/// <summary>
/// A GitHub webhook delivery exactly as it was received. The payload is the raw body, byte for byte,
/// so that it can be re-verified or re-parsed later.
/// </summary>
public sealed record WebhookDelivery(
    string DeliveryId,
    string Event,
    string? Action,
    long? HookId,
    DateTimeOffset ReceivedAt,
    byte[] Payload);
