using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Primitives;
using Octokit.Webhooks;
using Orchestrator.Storage;

namespace Orchestrator.GitHub;

/// <summary>
/// Reads payloads with Octokit.Webhooks' models (its deserializer is protected on the processor). The models
/// mark fields GitHub added over the years as required, so an older payload (GitHub Enterprise Server, or the
/// published examples) can lack one; such a payload is read again with required-ness relaxed rather than
/// dropped, since every field our handlers use is present in every version.
/// </summary>
public sealed class WebhookEventReader : WebhookEventProcessor
{
    // Built on first use: scanning the model assembly at start-up would cost every process, even those that never read a payload.
    private static readonly Lazy<Dictionary<string, Type>> EventTypes = new(() => typeof(WebhookEvent).Assembly.GetTypes()
        .Where(t => t.BaseType == typeof(WebhookEvent))
        .Select(t => (Type: t, Name: t.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType.Name == "WebhookEventTypeAttribute")?.ConstructorArguments.FirstOrDefault().Value as string))
        .Where(x => x.Name is not null)
        .ToDictionary(x => x.Name!, x => x.Type, StringComparer.Ordinal));

    private static readonly JsonSerializerOptions Lenient = new()
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver
        {
            Modifiers =
            {
                info =>
                {
                    foreach (var property in info.Properties)
                    {
                        property.IsRequired = false;
                    }
                },
            },
        },
    };

    public WebhookEvent Read(WebhookDelivery delivery)
    {
        try
        {
            return ReadStrict(delivery);
        }
        catch (JsonException) when (EventTypes.Value.TryGetValue(delivery.Event, out var type))
        {
            return (WebhookEvent?)JsonSerializer.Deserialize(delivery.Payload, type, Lenient)
                ?? throw new JsonException($"The {delivery.Event} payload is null.");
        }
    }

    private WebhookEvent ReadStrict(WebhookDelivery delivery)
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
