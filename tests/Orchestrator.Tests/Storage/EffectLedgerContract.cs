using Orchestrator.Storage;

namespace Orchestrator.Tests.Storage;

/// <summary>The <see cref="IEffectLedger"/> contract, shared by every store.</summary>
public abstract class EffectLedgerContract : StoreContract
{
    [Fact]
    public async Task Beginning_a_new_effect_records_it_as_started()
    {
        // Arrange
        var store = await NewStoreAsync();

        // Act
        var claim = await store.Effects.BeginAsync("dispatch:run-1:7", Ct);

        // Assert
        Assert.True(claim.IsNew);
        Assert.Equal(new EffectRecord("dispatch:run-1:7", EffectState.Started, null, Start, null), claim.Record);
        Assert.Equal(claim.Record, await store.Effects.GetAsync("dispatch:run-1:7", Ct));
    }

    [Fact]
    public async Task Beginning_an_effect_again_returns_the_existing_record_unchanged()
    {
        // Arrange
        var store = await NewStoreAsync();
        var first = await store.Effects.BeginAsync("comment:run-1", Ct);
        Clock.Advance(TimeSpan.FromMinutes(3));

        // Act
        var retry = await store.Effects.BeginAsync("comment:run-1", Ct);

        // Assert
        Assert.False(retry.IsNew);
        Assert.Equal(first.Record, retry.Record);
    }

    [Fact]
    public async Task Completing_an_effect_records_its_result_for_every_later_attempt()
    {
        // Arrange
        var store = await NewStoreAsync();
        await store.Effects.BeginAsync("message:run-1:plan", Ct);
        Clock.Advance(TimeSpan.FromSeconds(2));

        // Act
        await store.Effects.CompleteAsync("message:run-1:plan", "1300000000000000001", Ct);
        var stored = await store.Effects.GetAsync("message:run-1:plan", Ct);
        var retry = await store.Effects.BeginAsync("message:run-1:plan", Ct);

        // Assert
        var expected = new EffectRecord("message:run-1:plan", EffectState.Completed, "1300000000000000001", Start, Start.AddSeconds(2));
        Assert.Equal(expected, stored);
        Assert.False(retry.IsNew);
        Assert.Equal(expected, retry.Record);
    }

    [Fact]
    public async Task An_unknown_effect_is_not_found()
    {
        // Arrange
        var store = await NewStoreAsync();

        // Act
        var stored = await store.Effects.GetAsync("never-begun", Ct);

        // Assert
        Assert.Null(stored);
    }

    [Fact]
    public async Task Concurrent_begins_of_one_effect_create_it_exactly_once()
    {
        // Arrange
        var store = await NewStoreAsync();

        // Act
        var claims = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Task.Run(() => store.Effects.BeginAsync("deploy:run-1", Ct), Ct)));

        // Assert
        Assert.Single(claims, c => c.IsNew);
        Assert.All(claims, c => Assert.Equal(claims[0].Record, c.Record));
    }
}
