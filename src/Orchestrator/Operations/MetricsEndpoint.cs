using Orchestrator.Runs;
using Orchestrator.Storage;
using Orchestrator.Telemetry;
using Orchestrator.Workflow;

namespace Orchestrator.Operations;

/// <summary>
/// GET /metrics (Prometheus text format) when running as a process. Before a scrape the gauges that come from the store
/// (queue depth, oldest due job, dead letters, runs by state, the agents' scoreboard) are refreshed, at most once per <see cref="MinRefresh"/>,
/// so a scrape costs two or three store reads and reading a gauge never waits on the store.
/// </summary>
public static class MetricsEndpoint
{
    public const string Path = "/metrics";

    public static readonly TimeSpan MinRefresh = TimeSpan.FromSeconds(5);

    public static WebApplication MapMetrics(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!TelemetryServices.PrometheusEnabled(app.Configuration))
        {
            return app;
        }

        app.UseWhen(
            context => context.Request.Path.Equals(Path, StringComparison.Ordinal),
            branch => branch.Use(async (context, next) =>
            {
                await context.RequestServices.GetRequiredService<StoreGauges>().RefreshAsync(context.RequestAborted);
                await next(context);
            }));
        app.MapPrometheusScrapingEndpoint(Path);
        return app;
    }
}

/// <summary>Reads the store for the gauges of <see cref="OrchestratorMetrics"/>; a store that cannot answer leaves the last values.</summary>
public sealed partial class StoreGauges(OperatorQueries queries, IRunStore runs, ScoreboardQuery scoreboard, OrchestratorMetrics metrics, TimeProvider time, ILogger<StoreGauges> logger) : IDisposable
{
    /// <summary>The window of the agents' gauges: the last 30 days, as /stats shows by default.</summary>
    public const int AgentWindowDays = 30;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private DateTimeOffset _refreshed = DateTimeOffset.MinValue;

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (time.GetUtcNow() - _refreshed < MetricsEndpoint.MinRefresh)
            {
                return;
            }

            var queue = await queries.QueueAsync(cancellationToken);
            metrics.SetQueue(queue.Pending, queue.Leased, queue.DeadLettered, queue.OldestDueAgeSeconds);
            var latest = await runs.ListLatestAsync(OperatorQueries.RunScanLimit, cancellationToken);
            metrics.SetRuns(Enum.GetValues<RunState>().ToDictionary(Names.Of, s => (long)latest.Count(r => r.State == s), StringComparer.Ordinal));
            metrics.SetAgents([.. scoreboard.Scores(latest, null, AgentWindowDays, null).Select(Figures)]);
            _refreshed = time.GetUtcNow();
        }
        catch (StoreUnavailableException ex)
        {
            Log.Unavailable(logger, ex);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private static AgentFigures Figures(ExecutorScore score) => new(
        score.Executor,
        new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["dispatched"] = score.Dispatched,
            ["pull_request"] = score.PullRequests,
            ["first_head_judged"] = score.FirstHeadJudged,
            ["first_head_green"] = score.FirstHeadGreen,
            ["merged"] = score.Merged,
            ["failed"] = score.FailedTotal,
            ["shipped"] = score.Shipped,
        },
        score.MedianTimeToPullRequest?.TotalSeconds,
        score.MedianTimeToMerge?.TotalSeconds);

    private static partial class Log
    {
        [LoggerMessage(EventId = 1303, Level = LogLevel.Warning, Message = "The store did not answer for the metrics gauges; they keep their last values")]
        public static partial void Unavailable(ILogger logger, Exception exception);
    }
}
