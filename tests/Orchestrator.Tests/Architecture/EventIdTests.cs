using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Orchestrator.Tests.Architecture;

/// <summary>Every [LoggerMessage] of the service has its own event id, so a log line's id names one place in the code.</summary>
public sealed class EventIdTests
{
    [Fact]
    public void Every_log_message_has_a_unique_event_id()
    {
        var messages = typeof(Program).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(x => x.Attribute is not null)
            .ToList();

        var duplicates = messages
            .GroupBy(x => x.Attribute!.EventId)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(x => $"{x.Method.DeclaringType!.FullName}.{x.Method.Name}"))}")
            .ToList();

        Assert.NotEmpty(messages);
        Assert.True(duplicates.Count == 0, "Event ids used more than once:\n" + string.Join("\n", duplicates));
        Assert.All(messages, x => Assert.True(x.Attribute!.EventId > 0, $"{x.Method.DeclaringType!.FullName}.{x.Method.Name} has no event id"));
    }
}
