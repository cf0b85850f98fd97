using System.Diagnostics;

namespace Orchestrator.Telemetry;

/// <summary>
/// The service's own spans (one per job run), exported with the ASP.NET Core and HttpClient spans when OTLP is
/// configured. Spans carry the ids an operator searches by: job.id, job.kind, delivery.id, interaction.id, run.id.
/// </summary>
public static class OrchestratorTracing
{
    public const string SourceName = "Orchestrator";

    public static ActivitySource Source { get; } = new(SourceName);

    /// <summary>
    /// The W3C trace context (<c>00-{trace id}-{span id}-{flags}</c>) of the current span, or null without one (or
    /// with one in another id format): stored with a job when it is enqueued, so the job's span continues the trace.
    /// </summary>
    public static string? CurrentTraceParent() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity.Id : null;

    /// <summary>Tags the current span (a request's, or a job's) with an id, when a span is being recorded.</summary>
    public static void Tag(string name, string? value)
    {
        if (value is not null && Activity.Current is { IsAllDataRequested: true } activity)
        {
            activity.SetTag(name, value);
        }
    }
}
