using System.Globalization;

namespace Orchestrator.Tests.Infrastructure;

/// <summary>
/// A clock that jumps instead of sleeping: every timer (so every Task.Delay through it) moves the clock forward
/// by its due time and fires at once. Tests see what was waited in <see cref="Delays"/> and at which clock time
/// each request arrived, without waiting in real time. Meant for code that waits one thing at a time.
/// </summary>
public sealed class SkippingTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<TimeSpan> _delays = [];
    private long _ticks = start.UtcTicks;

    public SkippingTimeProvider()
        : this(DateTimeOffset.Parse("2026-11-25T09:00:00Z", CultureInfo.InvariantCulture))
    {
    }

    public IReadOnlyList<TimeSpan> Delays
    {
        get
        {
            lock (_lock)
            {
                return _delays.ToList();
            }
        }
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime == Timeout.InfiniteTimeSpan)
        {
            return new Skipped();
        }

        lock (_lock)
        {
            _delays.Add(dueTime);
        }

        Advance(dueTime);
        _ = Task.Run(() => callback(state));
        return new Skipped();
    }

    private sealed class Skipped : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
