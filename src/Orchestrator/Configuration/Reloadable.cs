using Microsoft.Extensions.Options;

namespace Orchestrator.Configuration;

/// <summary>
/// A value built from options and rebuilt whenever they change (e.g. a secret reloaded from Parameter Store), so
/// singletons such as the signature checks follow rotation without a restart. Register the value itself as transient
/// from <see cref="Current"/> so each request sees the latest.
/// </summary>
public sealed class Reloadable<T> : IDisposable
    where T : class
{
    private readonly IDisposable? _subscription;
    private T _current;

    internal Reloadable(T initial, Func<Action<T>, IDisposable?> subscribe)
    {
        _current = initial;
        _subscription = subscribe(value => Volatile.Write(ref _current, value));
    }

    public T Current => Volatile.Read(ref _current);

    public void Dispose() => _subscription?.Dispose();
}

public static class Reloadable
{
    public static Reloadable<T> From<TOptions, T>(IOptionsMonitor<TOptions> monitor, Func<TOptions, T> build)
        where T : class =>
        new(build(monitor.CurrentValue), set => monitor.OnChange(o => set(build(o))));
}
