using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Telemetry;

namespace Orchestrator.Tests.Telemetry;

public sealed partial class CompactConsoleFormatterTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 9, 30, 1, 250, TimeSpan.Zero);

    [Fact]
    public void A_json_line_is_flat_with_the_message_once_and_the_ids_of_its_values_and_scopes()
    {
        // Arrange
        var (logger, output, scopes) = Create(json: true);

        // Act: a framework-style dictionary scope and an id in the event's own values.
        using (scopes.Push(new Dictionary<string, object?> { ["JobId"] = "job-1", ["JobKind"] = "github.webhook", ["ConnectionId"] = "c-9" }))
        {
            Log.Handled(logger, "delivery-7", "issues", null);
        }

        // Assert
        var line = output.ToString();
        Assert.EndsWith("\n", line, StringComparison.Ordinal);
        Assert.Single(line.TrimEnd('\n').Split('\n'));
        using var json = JsonDocument.Parse(line);
        var names = json.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(["Timestamp", "Level", "Category", "EventId", "Message", "DeliveryId", "JobId"], names);
        Assert.Equal("2026-12-07T09:30:01.250Z", json.RootElement.GetProperty("Timestamp").GetString());
        Assert.Equal("Information", json.RootElement.GetProperty("Level").GetString());
        Assert.Equal("Tests", json.RootElement.GetProperty("Category").GetString());
        Assert.Equal(7001, json.RootElement.GetProperty("EventId").GetInt32());
        Assert.Equal("Delivery delivery-7 (issues.-) handled", json.RootElement.GetProperty("Message").GetString());
        Assert.Equal("delivery-7", json.RootElement.GetProperty("DeliveryId").GetString());
        Assert.Equal("job-1", json.RootElement.GetProperty("JobId").GetString());
        Assert.DoesNotContain("(null)", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Dictionary", line, StringComparison.Ordinal);
        Assert.DoesNotContain("OriginalFormat", line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_simple_line_has_the_same_fields_on_one_short_line()
    {
        // Arrange
        var (logger, output, scopes) = Create(json: false);

        // Act
        using (scopes.Push(new Dictionary<string, object?> { ["RunId"] = "run-3" }))
        {
            Log.Handled(logger, "delivery-7", "issues", "opened");
        }

        // Assert
        Assert.Equal(
            "2026-12-07T09:30:01.250Z info Tests[7001] Delivery delivery-7 (issues.opened) handled DeliveryId=delivery-7 RunId=run-3\n",
            output.ToString());
    }

    [Fact]
    public void An_exception_is_one_field_of_the_json_line()
    {
        // Arrange
        var (logger, output, _) = Create(json: true);

        // Act
        Log.Failed(logger, new InvalidOperationException("the store is gone"), "job-9");

        // Assert
        using var json = JsonDocument.Parse(output.ToString());
        Assert.StartsWith("System.InvalidOperationException: the store is gone", json.RootElement.GetProperty("Exception").GetString(), StringComparison.Ordinal);
        Assert.Equal("Error", json.RootElement.GetProperty("Level").GetString());
    }

    [Fact]
    public void A_request_line_of_a_delivery_stays_within_250_bytes()
    {
        // Arrange: the longest request line the service writes at Information, with a real delivery id.
        var (logger, output, _) = Create(json: true);
        var delivery = Guid.NewGuid().ToString();

        // Act
        Log.Request(logger, "POST", "/github/webhooks", 202, 12.3, "pull_request_review_comment.created stored", delivery);

        // Assert
        var bytes = Encoding.UTF8.GetByteCount(output.ToString());
        Assert.True(bytes <= 250, $"{bytes} bytes: {output}");
    }

    [Theory]
    [InlineData(null, "Production", CompactConsoleFormatter.JsonName)]
    [InlineData(null, "Development", CompactConsoleFormatter.SimpleName)]
    [InlineData("simple", "Production", CompactConsoleFormatter.SimpleName)]
    [InlineData("json", "Development", CompactConsoleFormatter.JsonName)]
    public void The_formatter_setting_is_honoured_and_otherwise_a_person_gets_simple(string? setting, string environment, string expected)
    {
        // Arrange: the test host's standard output is redirected, as on Lambda or under a process manager.
        Assert.True(Console.IsOutputRedirected, "this test expects a redirected standard output");
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = environment });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Logging:Console:FormatterName"] = setting });

        // Act
        builder.Logging.AddCompactConsole(builder.Environment, builder.Configuration);
        using var host = builder.Build();

        // Assert: that name is chosen, and it is ours (the framework's formatters of those names are gone).
        var options = host.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue;
        Assert.Equal(expected, options.FormatterName);
        var formatters = host.Services.GetServices<ConsoleFormatter>().ToList();
        Assert.All(formatters, f => Assert.IsType<CompactConsoleFormatter>(f));
        Assert.Equal([CompactConsoleFormatter.JsonName, CompactConsoleFormatter.SimpleName], formatters.Select(f => f.Name).Order());
    }

    private static (ILogger Logger, StringWriter Output, LoggerExternalScopeProvider Scopes) Create(bool json)
    {
        var time = new FakeTimeProvider(Now);
        var formatter = new CompactConsoleFormatter(json ? CompactConsoleFormatter.JsonName : CompactConsoleFormatter.SimpleName, json, time);
        var output = new StringWriter { NewLine = "\n" };
        var scopes = new LoggerExternalScopeProvider();
        return (new FormattingLogger(formatter, output, scopes), output, scopes);
    }

    /// <summary>What the console logger does with each event, minus its queue and the console.</summary>
    private sealed class FormattingLogger(ConsoleFormatter formatter, TextWriter output, IExternalScopeProvider scopes) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter1) =>
            formatter.Write(new LogEntry<TState>(logLevel, "Tests", eventId, state, exception, formatter1), scopes, output);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Delivery {DeliveryId} ({Event}.{Action}) handled")]
        public static partial void Handled(ILogger logger, string deliveryId, string @event, string? action);

        [LoggerMessage(EventId = 7002, Level = LogLevel.Error, Message = "Job {JobId} failed")]
        public static partial void Failed(ILogger logger, Exception exception, string jobId);

#pragma warning disable SYSLIB1015 // the delivery id is a field of the line, as in the service's request logging
        [LoggerMessage(EventId = 7003, Level = LogLevel.Information, Message = "{Method} {Path} answered {StatusCode} in {ElapsedMs:0.0} ms: {Outcome}")]
        public static partial void Request(ILogger logger, string method, string path, int statusCode, double elapsedMs, string outcome, string deliveryId);
#pragma warning restore SYSLIB1015
    }
}
