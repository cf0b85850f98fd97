using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Orchestrator.Telemetry;

/// <summary>
/// The service's own metrics, from one meter: what arrived, what was refused, what the jobs did, and gauges of the
/// queue, the runs, the agents' scoreboard and GitHub's rate limit. The gauges report the last snapshot given to them (see
/// <see cref="SetQueue"/>, <see cref="SetRuns"/>, <see cref="SetAgents"/>): whoever exports refreshes the snapshot first, so reading a gauge never
/// touches the store.
/// </summary>
public sealed class OrchestratorMetrics
{
    public const string MeterName = "Orchestrator";

    private readonly Counter<long> _webhooks;
    private readonly Counter<long> _interactions;
    private readonly Histogram<double> _interactionDuration;
    private readonly Counter<long> _refusals;
    private readonly Counter<long> _jobs;
    private readonly Histogram<double> _jobDuration;
    private readonly Counter<long> _recovered;
    private readonly Counter<long> _reconcileRequests;
    private readonly ConcurrentDictionary<string, long> _rateLimit = new(StringComparer.Ordinal);
    private volatile QueueSnapshot? _queue;
    private volatile IReadOnlyDictionary<string, long>? _runs;
    private volatile IReadOnlyList<AgentFigures>? _agents;

    public OrchestratorMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _webhooks = meter.CreateCounter<long>("orchestrator.webhook.deliveries", description: "GitHub deliveries by event and outcome (accepted, duplicate).");
        _interactions = meter.CreateCounter<long>("orchestrator.discord.interactions", description: "Verified Discord interactions by type, command and outcome (the response type).");
        _interactionDuration = meter.CreateHistogram<double>(
            "orchestrator.discord.interaction.duration",
            unit: "ms",
            description: "From reading a verified interaction to its answer (Discord allows 3 s).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 3000] });
        _refusals = meter.CreateCounter<long>("orchestrator.requests.refused", description: "Requests refused before acting, by endpoint and reason.");
        _jobs = meter.CreateCounter<long>("orchestrator.jobs.finished", description: "Jobs run, by kind and outcome (completed, retried, dead_lettered).");
        _jobDuration = meter.CreateHistogram<double>("orchestrator.jobs.duration", unit: "ms", description: "How long a job's handler ran.");
        _recovered = meter.CreateCounter<long>("orchestrator.deliveries.recovered", description: "Deliveries GitHub failed to make that recovery asked it to send again, by event.");
        _reconcileRequests = meter.CreateCounter<long>("orchestrator.reconcile.requests", description: "GitHub requests reconciliation made, by what they read (a 304 costs no rate limit).");
        meter.CreateObservableGauge("orchestrator.jobs.queue_depth", () => Queue(q => q.Pending), description: "Jobs waiting to run (pending).");
        meter.CreateObservableGauge("orchestrator.jobs.leased", () => Queue(q => q.Leased), description: "Jobs running (leased).");
        meter.CreateObservableGauge("orchestrator.jobs.dead_letters", () => Queue(q => q.DeadLettered), description: "Dead-lettered jobs.");
        meter.CreateObservableGauge("orchestrator.jobs.oldest_due_age", () => Queue(q => q.OldestDueAgeSeconds), unit: "s", description: "How long the oldest due job has waited past its due time.");
        meter.CreateObservableGauge("orchestrator.runs", ObserveRuns, description: "Runs by state (among the newest runs).");
        meter.CreateObservableGauge("orchestrator.github.ratelimit.remaining", ObserveRateLimit, description: "GitHub's x-ratelimit-remaining in its last answer, by resource.");
        meter.CreateObservableGauge("orchestrator.agent.tasks", ObserveAgentTasks, description: "Tasks dispatched in the last 30 days, by executor and outcome (the scoreboard).");
        meter.CreateObservableGauge("orchestrator.agent.median_time", ObserveAgentMedians, unit: "s", description: "Median time from dispatch to the first pull request or to the merge, by executor (last 30 days).");
    }

    public void WebhookStored(string eventName, bool duplicate) =>
        _webhooks.Add(1, new("event", eventName), new("outcome", duplicate ? "duplicate" : "accepted"));

    /// <param name="command">The slash command's name or the button's action (the custom id before its first ':').</param>
    /// <param name="outcome">The response type (channel_message, deferred, update_message, autocomplete, pong).</param>
    public void InteractionAnswered(string type, string command, string outcome, double milliseconds)
    {
        _interactions.Add(1, new("type", type), new("command", command), new("outcome", outcome));
        _interactionDuration.Record(milliseconds, new KeyValuePair<string, object?>("type", type), new KeyValuePair<string, object?>("command", command));
    }

    public void Refused(string endpoint, string reason) => _refusals.Add(1, new("endpoint", endpoint), new("reason", reason));

    public void JobFinished(string kind, string outcome, double milliseconds)
    {
        _jobs.Add(1, new("kind", kind), new("outcome", outcome));
        _jobDuration.Record(milliseconds, new KeyValuePair<string, object?>("kind", kind));
    }

    public void DeliveryRecovered(string eventName) => _recovered.Add(1, new KeyValuePair<string, object?>("event", eventName));

    public void ReconcileRequests(string read, int count) => _reconcileRequests.Add(count, new KeyValuePair<string, object?>("read", read));

    /// <summary>GitHub's x-ratelimit-remaining (and x-ratelimit-resource, "core" when absent) from an answer.</summary>
    public void GitHubRateLimit(string resource, long remaining) => _rateLimit[resource] = remaining;

    public void SetQueue(long pending, long leased, long deadLettered, double oldestDueAgeSeconds) =>
        _queue = new QueueSnapshot(pending, leased, deadLettered, oldestDueAgeSeconds);

    /// <summary>Counts by snake_case state name.</summary>
    public void SetRuns(IReadOnlyDictionary<string, long> byState) => _runs = byState;

    /// <summary>The scoreboard's figures per executor; an executor absent from the list has no series.</summary>
    public void SetAgents(IReadOnlyList<AgentFigures> agents) => _agents = agents;

    private IEnumerable<Measurement<double>> Queue(Func<QueueSnapshot, double> value) =>
        _queue is { } queue ? [new Measurement<double>(value(queue))] : [];

    private IEnumerable<Measurement<long>> ObserveRuns() =>
        (_runs ?? new Dictionary<string, long>()).Select(r => new Measurement<long>(r.Value, new KeyValuePair<string, object?>("state", r.Key)));

    private IEnumerable<Measurement<long>> ObserveAgentTasks() =>
        (_agents ?? []).SelectMany(a => a.Tasks.Select(t => new Measurement<long>(t.Value, new KeyValuePair<string, object?>("executor", a.Executor), new KeyValuePair<string, object?>("outcome", t.Key))));

    private IEnumerable<Measurement<double>> ObserveAgentMedians() =>
        (_agents ?? []).SelectMany(a => new[] { ("pull_request", a.MedianSecondsToPullRequest), ("merge", a.MedianSecondsToMerge) }
            .Where(m => m.Item2 is not null)
            .Select(m => new Measurement<double>(m.Item2!.Value, new KeyValuePair<string, object?>("executor", a.Executor), new KeyValuePair<string, object?>("to", m.Item1))));

    private IEnumerable<Measurement<long>> ObserveRateLimit() =>
        _rateLimit.Select(r => new Measurement<long>(r.Value, new KeyValuePair<string, object?>("resource", r.Key)));

    private sealed record QueueSnapshot(double Pending, double Leased, double DeadLettered, double OldestDueAgeSeconds);
}
