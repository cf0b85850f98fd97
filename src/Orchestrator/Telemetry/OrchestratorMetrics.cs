using System.Diagnostics.Metrics;

namespace Orchestrator.Telemetry;

/// <summary>The service's own metrics, from one meter: what arrived, what was refused, what the jobs did.</summary>
public sealed class OrchestratorMetrics
{
    public const string MeterName = "Orchestrator";

    private readonly Counter<long> _webhooks;
    private readonly Counter<long> _interactions;
    private readonly Counter<long> _refusals;
    private readonly Counter<long> _jobs;
    private readonly Histogram<double> _jobDuration;
    private readonly Counter<long> _reconcileRequests;

    public OrchestratorMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _webhooks = meter.CreateCounter<long>("orchestrator.webhook.deliveries", description: "GitHub deliveries by event and outcome (accepted, duplicate).");
        _interactions = meter.CreateCounter<long>("orchestrator.discord.interactions", description: "Verified Discord interactions by type.");
        _refusals = meter.CreateCounter<long>("orchestrator.requests.refused", description: "Requests refused before acting, by endpoint and reason.");
        _jobs = meter.CreateCounter<long>("orchestrator.jobs.finished", description: "Jobs run, by kind and outcome (completed, retried, dead_lettered).");
        _jobDuration = meter.CreateHistogram<double>("orchestrator.jobs.duration", unit: "ms", description: "How long a job's handler ran.");
        _reconcileRequests = meter.CreateCounter<long>("orchestrator.reconcile.requests", description: "GitHub requests reconciliation made, by what they read (a 304 costs no rate limit).");
    }

    public void WebhookStored(string eventName, bool duplicate) =>
        _webhooks.Add(1, new("event", eventName), new("outcome", duplicate ? "duplicate" : "accepted"));

    public void InteractionAnswered(string type) => _interactions.Add(1, new KeyValuePair<string, object?>("type", type));

    public void Refused(string endpoint, string reason) => _refusals.Add(1, new("endpoint", endpoint), new("reason", reason));

    public void JobFinished(string kind, string outcome, double milliseconds)
    {
        _jobs.Add(1, new("kind", kind), new("outcome", outcome));
        _jobDuration.Record(milliseconds, new KeyValuePair<string, object?>("kind", kind));
    }

    public void ReconcileRequests(string read, int count) => _reconcileRequests.Add(count, new KeyValuePair<string, object?>("read", read));
}
