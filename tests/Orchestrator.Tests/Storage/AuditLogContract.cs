using Orchestrator.Storage;

namespace Orchestrator.Tests.Storage;

/// <summary>The <see cref="IAuditLog"/> contract, shared by every store.</summary>
public abstract class AuditLogContract : StoreContract
{
    [Fact]
    public async Task Entries_of_a_run_are_listed_oldest_first_with_every_field()
    {
        // Arrange: appended out of time order, with entries of another run and of no run in between.
        var store = await NewStoreAsync();
        var approved = new AuditEntry(Start.AddMinutes(2), "discord:42", "Ada", "approve", "run-1", AuditOutcome.Succeeded, null);
        var planned = new AuditEntry(Start, "system", null, "plan", "run-1", AuditOutcome.Succeeded, "3 issues");
        var refused = new AuditEntry(Start.AddMinutes(1), "discord:7", "Mallory", "approve", "run-1", AuditOutcome.Refused, "not a maintainer");
        await store.Audit.AppendAsync(approved, Ct);
        await store.Audit.AppendAsync(Entry(Start, "run-2"), Ct);
        await store.Audit.AppendAsync(planned, Ct);
        await store.Audit.AppendAsync(Entry(Start, runId: null), Ct);
        await store.Audit.AppendAsync(refused, Ct);

        // Act
        var entries = await store.Audit.ListByRunAsync("run-1", Ct);

        // Assert
        Assert.Equal([planned, refused, approved], entries);
    }

    [Fact]
    public async Task A_run_without_entries_has_an_empty_audit()
    {
        // Arrange
        var store = await NewStoreAsync();
        await store.Audit.AppendAsync(Entry(Start, "run-1"), Ct);

        // Act
        var entries = await store.Audit.ListByRunAsync("run-unknown", Ct);

        // Assert
        Assert.Empty(entries);
    }

    [Fact]
    public async Task Entries_are_listed_by_time_from_inclusive_to_exclusive_oldest_first()
    {
        // Arrange: one entry a minute, appended newest first.
        var store = await NewStoreAsync();
        for (var minute = 4; minute >= 0; minute--)
        {
            await store.Audit.AppendAsync(Entry(Start.AddMinutes(minute), $"run-{minute}"), Ct);
        }

        // Act
        var entries = await store.Audit.ListAsync(Start.AddMinutes(1), Start.AddMinutes(3), 100, Ct);

        // Assert
        Assert.Equal([Start.AddMinutes(1), Start.AddMinutes(2)], entries.Select(e => e.At));
        Assert.Equal(["run-1", "run-2"], entries.Select(e => e.RunId));
    }

    [Fact]
    public async Task Listing_by_time_stops_at_the_limit_keeping_the_oldest()
    {
        // Arrange
        var store = await NewStoreAsync();
        for (var minute = 0; minute < 5; minute++)
        {
            await store.Audit.AppendAsync(Entry(Start.AddMinutes(minute), "run-1"), Ct);
        }

        // Act
        var entries = await store.Audit.ListAsync(Start, Start.AddHours(1), 2, Ct);

        // Assert
        Assert.Equal([Start, Start.AddMinutes(1)], entries.Select(e => e.At));
    }

    private static AuditEntry Entry(DateTimeOffset at, string? runId) =>
        new(at, "github:octocat", "The Octocat", "ship", runId, AuditOutcome.Failed, "deploy failed");
}
