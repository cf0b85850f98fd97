using System.Diagnostics;

namespace Orchestrator.Hosting;

/// <summary>One structured line per request: method, path, status and duration. No headers, no bodies.</summary>
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
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                Log.Request(logger, context.Request.Method, context.Request.Path.Value ?? "/", context.Response.StatusCode, elapsed);
            }
        });
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "{Method} {Path} answered {StatusCode} in {ElapsedMs:0.0} ms")]
        public static partial void Request(ILogger logger, string method, string path, int statusCode, double elapsedMs);
    }
}
