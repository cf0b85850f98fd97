namespace Orchestrator.Telemetry;

/// <summary>
/// What an endpoint adds to its request's one log line: the id it handled (an interaction's, a delivery's) and a
/// short outcome ("issues.opened queued"). The request logger writes them; the endpoint writes no line of its own.
/// As a log scope it lends the ids to every line written while the request is handled.
/// </summary>
public sealed class RequestLogFields : IEnumerable<KeyValuePair<string, object?>>
{
    public string? InteractionId { get; set; }

    public string? DeliveryId { get; set; }

    public string? Outcome { get; set; }

    /// <summary>The request's fields, created on first use.</summary>
    public static RequestLogFields Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var fields = context.Features.Get<RequestLogFields>();
        if (fields is null)
        {
            fields = new RequestLogFields();
            context.Features.Set(fields);
        }

        return fields;
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        if (InteractionId is not null)
        {
            yield return new(nameof(InteractionId), InteractionId);
        }

        if (DeliveryId is not null)
        {
            yield return new(nameof(DeliveryId), DeliveryId);
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
