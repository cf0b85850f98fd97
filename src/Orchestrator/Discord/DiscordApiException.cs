using System.Net;
using System.Text;
using System.Text.Json;

namespace Orchestrator.Discord;

/// <summary>
/// A Discord REST call that failed: the HTTP status (null when no response came), Discord's error code and
/// message, and the route with any token replaced by ***. The message never contains a token.
/// </summary>
public sealed class DiscordApiException : Exception, Jobs.IRetryHint, Jobs.IPermanentFailure
{
    public DiscordApiException()
    {
    }

    public DiscordApiException(string message)
        : base(message)
    {
    }

    public DiscordApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal DiscordApiException(string route, HttpStatusCode? status, int? code, string? discordMessage, IReadOnlyList<string> fieldErrors, TimeSpan? retryAfter, Exception? innerException = null)
        : base(Describe(route, status, code, discordMessage, fieldErrors, retryAfter), innerException)
    {
        Route = route;
        Status = status;
        Code = code;
        DiscordMessage = discordMessage;
        FieldErrors = fieldErrors;
        RetryAfter = retryAfter;
    }

    /// <summary>Method and path, token redacted, e.g. "PATCH webhooks/1/***/messages/@original".</summary>
    public string? Route { get; }

    /// <summary>The HTTP status, or null when the request got no response (connection failure).</summary>
    public HttpStatusCode? Status { get; }

    /// <summary>Discord's JSON error code (e.g. 10003 Unknown Channel, 50035 Invalid Form Body), if any.</summary>
    public int? Code { get; }

    public string? DiscordMessage { get; }

    /// <summary>Per-field errors of a 400, as "path: message" (e.g. "embeds.0.description: Must be 4096 or fewer in length.").</summary>
    public IReadOnlyList<string> FieldErrors { get; } = [];

    /// <summary>When rate limited (429): how long Discord asked us to wait, which exceeded our retry budget.</summary>
    public TimeSpan? RetryAfter { get; }

    public TimeSpan? RetryDelay(DateTimeOffset now) => RetryAfter;

    /// <summary>Discord refused the request itself (invalid, unauthorised, no access, unknown): a retry would be refused too.</summary>
    public bool IsPermanent => RetryAfter is null && (int?)Status is 400 or 401 or 403 or 404;

    /// <summary>A POST with no clear answer (5xx, no response) may or may not have happened: reconcile, don't repeat blindly.</summary>
    public bool OutcomeUnknown => Route?.StartsWith("POST ", StringComparison.Ordinal) == true
        && (Status is null || (int)Status >= 500);

    internal static DiscordApiException From(DiscordRoute route, HttpStatusCode status, DiscordErrorBody? body, TimeSpan? retryAfter) =>
        new(route.ToString(), status, body?.Code, body?.Message, FlattenErrors(body?.Errors), retryAfter);

    internal static DiscordApiException NoResponse(DiscordRoute route, Exception innerException) =>
        new(route.ToString(), null, null, innerException.Message, [], null, innerException);

    private static string Describe(string route, HttpStatusCode? status, int? code, string? message, IReadOnlyList<string> fieldErrors, TimeSpan? retryAfter)
    {
        var text = new StringBuilder("Discord ");
        text.Append(status is null ? "gave no response" : $"answered {(int)status} {status}").Append(" to ").Append(route);
        if (code is not null || message is not null)
        {
            text.Append(": ");
            if (code is not null)
            {
                text.Append(code.Value).Append(' ');
            }

            text.Append(message);
        }

        foreach (var error in fieldErrors)
        {
            text.Append("; ").Append(error);
        }

        if (retryAfter is not null)
        {
            text.Append($" (retry after {retryAfter.Value.TotalSeconds:0.###} s)");
        }

        return text.ToString();
    }

    /// <summary>Discord nests field errors: {"embeds":{"0":{"description":{"_errors":[{"code":..,"message":..}]}}}}.</summary>
    private static List<string> FlattenErrors(JsonElement? errors)
    {
        var result = new List<string>();
        if (errors is { ValueKind: JsonValueKind.Object } root)
        {
            Walk(root, string.Empty, result);
        }

        return result;

        static void Walk(JsonElement element, string path, List<string> result)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (result.Count >= 10)
                {
                    return;
                }

                if (property.NameEquals("_errors") && property.Value.ValueKind == JsonValueKind.Array)
                {
                    foreach (var error in property.Value.EnumerateArray())
                    {
                        var message = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) ? m.GetString() : null;
                        result.Add((path.Length == 0 ? "(body)" : path) + ": " + (message ?? error.GetRawText()));
                    }
                }
                else if (property.Value.ValueKind == JsonValueKind.Object)
                {
                    Walk(property.Value, path.Length == 0 ? property.Name : path + "." + property.Name, result);
                }
            }
        }
    }
}
