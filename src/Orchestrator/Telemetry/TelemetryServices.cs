using System.Text.RegularExpressions;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Orchestrator.Telemetry;

public static partial class TelemetryServices
{
    /// <summary>Turns the Prometheus endpoint off in a process (it is never on under Lambda, where metrics go to the logs as EMF).</summary>
    public const string PrometheusSetting = "Orchestrator:Metrics:Prometheus";

    /// <summary>
    /// Our metrics always exist (in-process, cheap). As a process, GET /metrics serves them in Prometheus text format
    /// (OpenTelemetry's Prometheus exporter); on Lambda (AWS_LAMBDA_FUNCTION_NAME set) it does not exist, and the queue
    /// metrics go to the logs as Embedded Metric Format. Traces and metrics are exported over OTLP only when
    /// OTEL_EXPORTER_OTLP_ENDPOINT is set.
    /// </summary>
    public static IServiceCollection AddTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMetrics();
        services.AddSingleton<OrchestratorMetrics>();
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var prometheus = PrometheusEnabled(configuration);
        if (!otlp && !prometheus)
        {
            return services;
        }

        var telemetry = services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter(OrchestratorMetrics.MeterName);
            if (prometheus)
            {
                // No cached answer: a scrape right after a change shows it (the store-backed gauges have their own 5 s floor).
                metrics.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
            }

            if (otlp)
            {
                metrics.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddOtlpExporter();
            }
        });
        if (otlp)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(OrchestratorTracing.SourceName)
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
                .AddOtlpExporter());
        }

        return services;
    }

    /// <summary>True in a process unless <see cref="PrometheusSetting"/> is false; never on Lambda.</summary>
    public static bool PrometheusEnabled(IConfiguration configuration) =>
        string.IsNullOrEmpty(configuration["AWS_LAMBDA_FUNCTION_NAME"])
        && !string.Equals(configuration[PrometheusSetting], "false", StringComparison.OrdinalIgnoreCase);

    /// <summary>Replaces the token segment of /webhooks/{application}/{token} paths.</summary>
    public static string Redact(string path) => WebhookToken().Replace(path, "$1***");

    [GeneratedRegex(@"(/webhooks/[0-9]+/)[^/?]+", RegexOptions.CultureInvariant)]
    private static partial Regex WebhookToken();
}
