using System.Collections.Concurrent;
using System.Diagnostics;
using Orchestrator.Telemetry;

namespace Orchestrator.Tests.Infrastructure;

/// <summary>
/// Every span of the service's, ASP.NET Core's and HttpClient's sources that starts while it listens, recorded with
/// all its data. The listener is process-wide and tests run in parallel: find a test's spans by its own ids.
/// </summary>
public sealed class RecordedSpans : IDisposable
{
    public const string AspNetCore = "Microsoft.AspNetCore";
    public const string HttpClient = "System.Net.Http";

    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ActivityListener _listener;

    public RecordedSpans()
    {
        // Spans are kept when they start: their tags are read once the test is done with them.
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is OrchestratorTracing.SourceName or AspNetCore or HttpClient,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = _spans.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<Activity> All => [.. _spans];

    public static string? Tag(Activity span, string name) => span.GetTagItem(name) as string;

    public void Dispose() => _listener.Dispose();
}
