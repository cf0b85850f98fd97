using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Storage;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Storage.DynamoDb;

public sealed class DynamoLedgerAndAuditTests(DynaliteServer dynalite)
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-25T09:00:00Z", CultureInfo.InvariantCulture));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_effect_is_begun_once_and_a_retry_sees_the_recorded_result()
    {
        // Arrange
        var store = await dynalite.CreateStoreAsync(_clock);
        var started = _clock.GetUtcNow();

        // Act
        var first = await store.Effects.BeginAsync("dispatch:run:7", Ct);
        var retryBeforeResult = await store.Effects.BeginAsync("dispatch:run:7", Ct);
        _clock.Advance(TimeSpan.FromSeconds(3));
        await store.Effects.CompleteAsync("dispatch:run:7", "workflow-run-99", Ct);
        var retryAfterResult = await store.Effects.BeginAsync("dispatch:run:7", Ct);

        // Assert
        Assert.Equal(new EffectClaim(new EffectRecord("dispatch:run:7", EffectState.Started, null, started, null), IsNew: true), first);
        Assert.False(retryBeforeResult.IsNew);
        Assert.Equal(EffectState.Started, retryBeforeResult.Record.State);
        Assert.Equal(
            new EffectClaim(new EffectRecord("dispatch:run:7", EffectState.Completed, "workflow-run-99", started, _clock.GetUtcNow()), IsNew: false),
            retryAfterResult);
    }

    [Fact]
    public async Task Concurrent_beginnings_of_one_effect_give_it_to_exactly_one_caller()
    {
        // Arrange
        var store = await dynalite.CreateStoreAsync(_clock);

        // Act
        var claims = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => store.Effects.BeginAsync("comment:1", Ct)));

        // Assert
        Assert.Single(claims, c => c.IsNew);
    }

    [Fact]
    public async Task Audit_entries_are_listed_by_run_and_by_time_range_oldest_first()
    {
        // Arrange
        var store = await dynalite.CreateStoreAsync(_clock);
        var t0 = _clock.GetUtcNow();
        AuditEntry Entry(int minutes, string? runId, AuditOutcome outcome = AuditOutcome.Succeeded) =>
            new(t0.AddMinutes(minutes), "discord:1", "Ada", $"action-{minutes}", runId, outcome, minutes % 2 == 0 ? null : "detail");
        var entries = new[] { Entry(3, "run-a"), Entry(1, "run-a"), Entry(2, null, AuditOutcome.Refused), Entry(4, "run-b"), Entry(5, "run-a", AuditOutcome.Failed) };

        // Act
        foreach (var entry in entries)
        {
            await store.Audit.AppendAsync(entry, Ct);
        }

        // Assert
        Assert.Equal([Entry(1, "run-a"), Entry(3, "run-a"), Entry(5, "run-a", AuditOutcome.Failed)], await store.Audit.ListByRunAsync("run-a", Ct));
        Assert.Equal([Entry(2, null, AuditOutcome.Refused), Entry(3, "run-a"), Entry(4, "run-b")], await store.Audit.ListAsync(t0.AddMinutes(2), t0.AddMinutes(5), 10, Ct));
        Assert.Equal([Entry(1, "run-a"), Entry(2, null, AuditOutcome.Refused)], await store.Audit.ListAsync(t0, t0.AddHours(1), 2, Ct));
        Assert.Empty(await store.Audit.ListByRunAsync("run-none", Ct));
    }
}
