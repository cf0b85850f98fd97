using Microsoft.Extensions.Options;

namespace Orchestrator.Tests.Infrastructure;

/// <summary>Options that never change, for a class built by hand in a test.</summary>
public sealed class StaticOptionsMonitor<T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue => value;

    public T Get(string? name) => value;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
