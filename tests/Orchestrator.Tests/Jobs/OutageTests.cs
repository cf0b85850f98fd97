using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Jobs;

namespace Orchestrator.Tests.Jobs;

/// <summary>A store that is down costs a few log lines and slowing retries, not a line and a call per second.</summary>
public sealed class OutageTests
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-25T09:00:00Z", CultureInfo.InvariantCulture));

    [Fact]
    public void An_hour_of_failures_every_poll_is_reported_a_handful_of_times()
    {
        // Arrange
        var outage = new Outage(_clock);
        var poll = TimeSpan.FromSeconds(1);
        var reports = 0;
        var polls = 0;

        // Act: the worker's loop, failing for an hour.
        for (var elapsed = TimeSpan.Zero; elapsed < TimeSpan.FromHours(1); polls++)
        {
            reports += outage.Fail() ? 1 : 0;
            var wait = outage.Backoff(poll);
            _clock.Advance(wait);
            elapsed += wait;
        }

        var ended = outage.End();

        // Assert: reported at the start, then after 1, 2, 4, 8, 16 and 32 minutes at most; polls slowed to once a minute.
        Assert.InRange(reports, 2, 7);
        Assert.InRange(polls, 60, 80);
        Assert.Equal(TimeSpan.FromMinutes(1), outage.Failures == 0 ? TimeSpan.FromMinutes(1) : outage.Backoff(poll));
        Assert.Equal(polls, ended!.Value.Failures);
        Assert.Null(outage.End());
        Assert.Equal(poll, outage.Backoff(poll));
    }
}
