using System.Diagnostics;

namespace Orchestrator.Http;

/// <summary>ProblemDetails with our own titles and a trace id, never exception text.</summary>
public static class Problems
{
    public static IResult Of(HttpContext context, int status, string title, string? detail = null) =>
        Results.Problem(
            statusCode: status,
            title: title,
            detail: detail,
            extensions: new Dictionary<string, object?>
            {
                ["traceId"] = Activity.Current?.Id ?? context.TraceIdentifier,
            });

    public static IResult TooLarge(HttpContext context, int maxBytes) =>
        Of(context, StatusCodes.Status413PayloadTooLarge, "Body too large", $"The body exceeds {maxBytes} bytes.");

    /// <summary>401 with no body: an unverified caller learns nothing about why.</summary>
    public static IResult Unauthorized() => Results.StatusCode(StatusCodes.Status401Unauthorized);

    public static IResult NotConfigured(HttpContext context, string setting) =>
        Of(context, StatusCodes.Status503ServiceUnavailable, "Not configured", $"The setting {setting} is missing or invalid; this endpoint is disabled until it is set.");

    public static IResult StoreUnavailable(HttpContext context) =>
        Of(context, StatusCodes.Status503ServiceUnavailable, "Store unavailable", "The request was not stored; retry later.");
}
