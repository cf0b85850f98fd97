using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Orchestrator.Tests.Infrastructure;

/// <summary>Keeps every log line the app writes, so tests can assert what was (and was not) logged.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, LogLevel Level, EventId EventId, string Message)> _entries = new();

    public IReadOnlyCollection<(string Category, LogLevel Level, EventId EventId, string Message)> Entries => _entries;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<(string, LogLevel, EventId, string)> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue((category, logLevel, eventId, formatter(state, exception) + (exception is null ? string.Empty : " | " + exception)));
    }
}
