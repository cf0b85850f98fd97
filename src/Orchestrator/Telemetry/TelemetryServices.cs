using System.Text.RegularExpressions;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Orchestrator.Telemetry;

public static partial class TelemetryServices
{
    /// <summary>
    /// Our metrics always exist (in-process, cheap). Traces and metrics are exported over OTLP only when
    /// OTEL_EXPORTER_OTLP_ENDPOINT is set, so a plain local run and the Lambda functions load no exporter.
    /// </summary>
    public static IServiceCollection AddTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMetrics();
        services.AddSingleton<OrchestratorMetrics>();
        if (string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            return services;
        }

        services.AddOpenTelemetry()
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation(http =>
                {
                    // Discord's interaction webhook paths carry a token valid for 15 minutes: never export it.
                    http.EnrichWithHttpRequestMessage = (activity, request) =>
                    {
                        if (request.RequestUri is { } uri)
                        {
                            activity.SetTag("url.full", Redact(uri.GetLeftPart(UriPartial.Path)));
                            activity.SetTag("url.path", Redact(uri.AbsolutePath));
                        }
                    };
                })
                .AddOtlpExporter())
            .WithMetrics(metrics => metrics
                .AddMeter(OrchestratorMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddOtlpExporter());
        return services;
    }

    /// <summary>Replaces the token segment of /webhooks/{application}/{token} paths.</summary>
    public static string Redact(string path) => WebhookToken().Replace(path, "$1***");

    [GeneratedRegex(@"(/webhooks/[0-9]+/)[^/?]+", RegexOptions.CultureInvariant)]
    private static partial Regex WebhookToken();
}
