using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Storage;

namespace Orchestrator.Tests.Storage;

/// <summary>
/// Base of the shared store contract suites (<see cref="InboxContract"/>, <see cref="JobQueueContract"/>,
/// <see cref="RunStoreContract"/>, <see cref="EffectLedgerContract"/>, <see cref="AuditLogContract"/>).
/// A store implementation passes the suite by subclassing each contract and creating its stores in
/// <see cref="CreateStoreAsync"/>. Each test creates the stores it needs, so tests never share data.
/// </summary>
public abstract class StoreContract : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-11-25T09:00:00Z", CultureInfo.InvariantCulture);

    private readonly List<IStoreBackend> _stores = [];
    private readonly Stack<Func<ValueTask>> _cleanups = new();

    /// <summary>The clock every store of the test reads; tests move it with <c>Advance</c>.</summary>
    protected FakeTimeProvider Clock { get; } = new(Start);

    /// <summary>The retentions the stores must be configured with: the defaults of <see cref="StorageOptions"/>.</summary>
    protected static StorageOptions Defaults { get; } = new();

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Creates a new, empty store isolated from every other store (its own file, tables or prefix), reading time
    /// from <paramref name="clock"/>, with the default <see cref="StorageOptions"/> retentions. The suite calls
    /// <see cref="IStoreAdmin.InitializeAsync"/> on it and disposes it (if disposable) after the test; register
    /// any other clean-up with <see cref="OnDispose"/>.
    /// </summary>
    protected abstract Task<IStoreBackend> CreateStoreAsync(FakeTimeProvider clock);

    /// <summary>
    /// Starts a span (an <see cref="Activity"/> with a W3C id, current until disposed) as a request or job would be
    /// in when it enqueues a job.
    /// </summary>
    protected static Activity Span(ActivityIdFormat format = ActivityIdFormat.W3C) =>
        new Activity("enqueuing").SetIdFormat(format).Start();

    /// <summary>A fresh, initialized store for this test.</summary>
    protected async Task<IStoreBackend> NewStoreAsync()
    {
        var store = await CreateStoreAsync(Clock);
        _stores.Add(store);
        await store.Admin.InitializeAsync(Ct);
        return store;
    }

    /// <summary>Runs <paramref name="cleanup"/> after the test, once its stores are disposed (last registered, first run).</summary>
    protected void OnDispose(Func<ValueTask> cleanup) => _cleanups.Push(cleanup);

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _stores)
        {
            if (store is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync();
            }
            else if (store is IDisposable disposable)
            {
                disposable.Dispose();
            }
        }

        while (_cleanups.TryPop(out var cleanup))
        {
            await cleanup();
        }

        GC.SuppressFinalize(this);
    }
}
