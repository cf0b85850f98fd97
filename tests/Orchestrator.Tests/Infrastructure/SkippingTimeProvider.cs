namespace Orchestrator.Tests.Infrastructure;

/// <summary>
/// A clock whose timers fire at once: every wait (e.g. a retry delay through <c>Task.Delay(…, TimeProvider)</c>)
/// is recorded in <see cref="Delays"/> and moves the clock forward by its length instead of sleeping. Tests
/// then assert how long the code would have waited, and the fake servers that share the clock see the time
/// move as it would have.
/// </summary>
public sealed class SkippingTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<TimeSpan> _delays = [];
    private DateTimeOffset _now = start;

    public IReadOnlyList<TimeSpan> Delays
    {
        get
        {
            lock (_gate)
            {
                return _delays.ToList();
            }
        }
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public void Advance(TimeSpan by)
    {
        lock (_gate)
        {
            _now += by;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new SkippedTimer(this, callback, state, dueTime);

    private void Skip(TimeSpan delay)
    {
        lock (_gate)
        {
            _delays.Add(delay);
            _now += delay;
        }
    }

    private sealed class SkippedTimer : ITimer
    {
        private readonly SkippingTimeProvider _clock;
        private readonly TimerCallback _callback;
        private readonly object? _state;
        private volatile bool _disposed;

        public SkippedTimer(SkippingTimeProvider clock, TimerCallback callback, object? state, TimeSpan dueTime)
        {
            _clock = clock;
            _callback = callback;
            _state = state;
            Change(dueTime, Timeout.InfiniteTimeSpan);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (_disposed || dueTime == Timeout.InfiniteTimeSpan)
            {
                return !_disposed;
            }

            _clock.Skip(dueTime);
            ThreadPool.QueueUserWorkItem(_ =>
            {
                if (!_disposed)
                {
                    _callback(_state);
                }
            });
            return true;
        }

        public void Dispose() => _disposed = true;

        public ValueTask DisposeAsync()
        {
            _disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}
