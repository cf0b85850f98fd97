namespace Orchestrator.Http;

/// <summary>
/// The first checks every signed endpoint makes, in order: its secret is configured (else 503 naming the
/// setting), the body fits (else 413), and the signature over the exact bytes verifies (else 401 with no detail).
/// </summary>
public static partial class VerifiedBody
{
    /// <param name="endpoint">"discord" or "github": for the refusal metric and log line.</param>
    /// <returns>The raw body, or the refusal to answer with.</returns>
    public static async Task<(byte[]? Body, IResult? Refusal)> ReadAsync(
        HttpContext context,
        string endpoint,
        string? missingSetting,
        int maxBytes,
        Func<IHeaderDictionary, byte[], bool> verify,
        Telemetry.OrchestratorMetrics metrics,
        ILogger logger)
    {
        if (missingSetting is not null)
        {
            return (null, Problems.NotConfigured(context, missingSetting));
        }

        var body = await RequestBody.ReadAsync(context.Request, maxBytes, context.RequestAborted);
        if (body is null)
        {
            metrics.Refused(endpoint, "size");
            return (null, Problems.TooLarge(context, maxBytes));
        }

        if (!verify(context.Request.Headers, body))
        {
            Telemetry.RequestLogFields.Of(context).Outcome = "signature refused";
            Log.Unverified(logger, endpoint);
            metrics.Refused(endpoint, "signature");
            return (null, Problems.Unauthorized());
        }

        return (body, null);
    }

    private static partial class Log
    {
        // Debug: the request's own line (Orchestrator.Requests) says 401 and "signature refused" at Information.
        [LoggerMessage(EventId = 20, Level = LogLevel.Debug, Message = "Refused a {Endpoint} request whose signature or timestamp did not verify")]
        public static partial void Unverified(ILogger logger, string endpoint);
    }
}
