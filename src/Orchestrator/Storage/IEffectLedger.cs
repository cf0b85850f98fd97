namespace Orchestrator.Storage;

public enum EffectState
{
    /// <summary>The effect may or may not have happened: a worker recorded its intent and did not record a result.</summary>
    Started,

    /// <summary>The effect happened and its result (message id, run id, ...) is recorded.</summary>
    Completed,
}

public sealed record EffectRecord(string Key, EffectState State, string? Result, DateTimeOffset StartedAt, DateTimeOffset? CompletedAt);

/// <param name="IsNew">True when this call created the record; false when one existed (a retry).</param>
public sealed record EffectClaim(EffectRecord Record, bool IsNew);

/// <summary>The ledger of external effects; see <see cref="Jobs.Effects"/> for the rule that uses it.</summary>
public interface IEffectLedger
{
    /// <summary>Records the intent to perform the effect (state Started) unless a record exists; returns the stored record.</summary>
    Task<EffectClaim> BeginAsync(string key, CancellationToken cancellationToken);

    Task CompleteAsync(string key, string result, CancellationToken cancellationToken);

    Task<EffectRecord?> GetAsync(string key, CancellationToken cancellationToken);
}
