using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Orchestrator.Tests.Infrastructure;

/// <summary>Keeps every log line the app writes, so tests can assert what was (and was not) logged.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, LogLevel Level, EventId EventId, string Message)> _entries = new();
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<(string Category, LogLevel Level, EventId EventId, string Message)> Entries => _entries;

    /// <summary>
    /// Each entry as one line: level, category, message, every structured value and the exception. A secret
    /// could hide in a value the message leaves out, so tests that look for leaks read these.
    /// </summary>
    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, CapturedLogs owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            owner._entries.Enqueue((category, logLevel, eventId, message + (exception is null ? string.Empty : " | " + exception)));
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}"))
                : string.Empty;
            owner._lines.Enqueue($"{logLevel} {category} {message} {values} {exception}");
        }
    }
}
