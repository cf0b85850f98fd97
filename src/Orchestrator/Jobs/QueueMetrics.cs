using System.ComponentModel.DataAnnotations;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Orchestrator.Storage;

namespace Orchestrator.Jobs;

public sealed class MetricsOptions
{
    public const string Section = "Orchestrator:Metrics";

    /// <summary>
    /// Write queue metrics as CloudWatch Embedded Metric Format lines on stdout at each scheduled tick. On Lambda,
    /// CloudWatch Logs turns each such line into metric values (no PutMetricData call, no extra permission).
    /// </summary>
    public bool EmbeddedMetricFormat { get; set; }

    [Required]
    public string Namespace { get; set; } = "Orchestrator";

    /// <summary>Value of the "Stage" dimension, e.g. dev or prod; alarms select on it.</summary>
    [Required]
    public string Stage { get; set; } = "local";
}

/// <summary>
/// Queue depth and dead-letter count as CloudWatch Embedded Metric Format (one JSON object per line, no other text on
/// the line). The metric names are the ones the template's alarms and dashboard use.
/// </summary>
public sealed class QueueMetrics(IOptions<MetricsOptions> options, TimeProvider time, TextWriter output)
{
    public const string JobsPending = "JobsPending";
    public const string JobsLeased = "JobsLeased";
    public const string JobsDeadLettered = "JobsDeadLettered";
    public const string JobsRun = "JobsRun";
    public const string JobsFailed = "JobsFailed";
    public const string PeriodicTaskFailures = "PeriodicTaskFailures";
    public const string StageDimension = "Stage";

    public bool Enabled => options.Value.EmbeddedMetricFormat;

    public void Emit(JobQueueStats stats, DrainResult drain, int periodicFailures)
    {
        if (!Enabled)
        {
            return;
        }

        var line = Format(stats, drain, periodicFailures);
        lock (output)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    public string Format(JobQueueStats stats, DrainResult drain, int periodicFailures)
    {
        var o = options.Value;
        (string Name, long Value)[] values =
        [
            (JobsPending, stats.Pending),
            (JobsLeased, stats.Leased),
            (JobsDeadLettered, stats.DeadLettered),
            (JobsRun, drain.Claimed),
            (JobsFailed, drain.Failed + drain.Errors),
            (PeriodicTaskFailures, periodicFailures),
        ];

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("_aws");
            json.WriteNumber("Timestamp", time.GetUtcNow().ToUnixTimeMilliseconds());
            json.WriteStartArray("CloudWatchMetrics");
            json.WriteStartObject();
            json.WriteString("Namespace", o.Namespace);
            json.WriteStartArray("Dimensions");
            json.WriteStartArray();
            json.WriteStringValue(StageDimension);
            json.WriteEndArray();
            json.WriteEndArray();
            json.WriteStartArray("Metrics");
            foreach (var (name, _) in values)
            {
                json.WriteStartObject();
                json.WriteString("Name", name);
                json.WriteString("Unit", "Count");
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteString(StageDimension, o.Stage);
            foreach (var (name, value) in values)
            {
                json.WriteNumber(name, value);
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
