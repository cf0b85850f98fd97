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

    /// <summary>Tags the current span (a request's, or a job's) with an id, when a span is being recorded.</summary>
    public static void Tag(string name, string? value)
    {
        if (value is not null && Activity.Current is { IsAllDataRequested: true } activity)
        {
            activity.SetTag(name, value);
        }
    }
}
