using System.Diagnostics;
using Orchestrator.Telemetry;

namespace Orchestrator.Hosting;

/// <summary>
/// One structured line per request: method, path, status, duration, and what the endpoint added
/// (<see cref="RequestLogFields"/>: the interaction or delivery id as fields, an outcome). No headers, no bodies.
/// </summary>
public static partial class RequestLogging
{
    public static IApplicationBuilder UseRequestLogging(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Orchestrator.Requests");
        return app.Use(async (context, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            finally
            {
                if (logger.IsEnabled(LogLevel.Information))
                {
                    var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    var method = context.Request.Method;
                    var path = context.Request.Path.Value ?? "/";
                    var status = context.Response.StatusCode;
                    if (context.Features.Get<RequestLogFields>() is { } fields)
                    {
                        Log.Handled(logger, method, path, status, elapsed, fields.Outcome ?? "-", fields.InteractionId, fields.DeliveryId);
                    }
                    else
                    {
                        Log.Request(logger, method, path, status, elapsed);
                    }
                }
            }
        });
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "{Method} {Path} answered {StatusCode} in {ElapsedMs:0.0} ms")]
        public static partial void Request(ILogger logger, string method, string path, int statusCode, double elapsedMs);

        // The ids are fields of the line (the formatter writes them once), not words of the message.
#pragma warning disable SYSLIB1015
        [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "{Method} {Path} answered {StatusCode} in {ElapsedMs:0.0} ms: {Outcome}")]
        public static partial void Handled(ILogger logger, string method, string path, int statusCode, double elapsedMs, string outcome, string? interactionId, string? deliveryId);
#pragma warning restore SYSLIB1015
    }
}
