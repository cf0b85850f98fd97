using Octokit.Webhooks;
using Orchestrator.Storage;

namespace Orchestrator.GitHub;

/// <summary>A stored delivery with its payload read into Octokit.Webhooks' model for the event.</summary>
public sealed record GitHubEvent(WebhookDelivery Delivery, WebhookEvent Payload);
