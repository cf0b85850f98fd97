namespace Orchestrator.Jobs;

/// <summary>
/// A run of failures of something polled (the store): says when to report it — at its start, then after 1, 2, 4 … 60
/// minutes — and how long to wait before the next try (the poll interval doubled per failure, at most a minute), so an
/// outage costs a few log lines and a few calls, not one of each per second.
/// </summary>
public sealed class Outage(TimeProvider time)
{
    private static readonly TimeSpan MaxReportInterval = TimeSpan.FromHours(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(1);
    private DateTimeOffset _started;
    private DateTimeOffset _nextReport;
    private TimeSpan _reportInterval;

    public int Failures { get; private set; }

    /// <summary>Counts a failure; true when it should be reported.</summary>
    public bool Fail()
    {
        var now = time.GetUtcNow();
        if (Failures++ == 0)
        {
            _started = now;
            _reportInterval = TimeSpan.FromMinutes(1);
            _nextReport = now + _reportInterval;
            return true;
        }

        if (now < _nextReport)
        {
            return false;
        }

        _reportInterval = TimeSpan.FromTicks(Math.Min(_reportInterval.Ticks * 2, MaxReportInterval.Ticks));
        _nextReport = now + _reportInterval;
        return true;
    }

    /// <summary>Ends the outage after a success; returns how many failures it had and how long it lasted, or null when there was none.</summary>
    public (int Failures, TimeSpan Duration)? End()
    {
        if (Failures == 0)
        {
            return null;
        }

        var ended = (Failures, time.GetUtcNow() - _started);
        Failures = 0;
        return ended;
    }

    /// <summary>The wait before the next try: <paramref name="poll"/> while healthy, doubled per failure up to a minute.</summary>
    public TimeSpan Backoff(TimeSpan poll) =>
        Failures == 0 ? poll : TimeSpan.FromTicks(Math.Min(poll.Ticks << Math.Min(Failures, 16), Math.Max(MaxBackoff.Ticks, poll.Ticks)));
}
