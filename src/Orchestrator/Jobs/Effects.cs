using Orchestrator.Storage;

namespace Orchestrator.Jobs;

/// <summary>
/// Exactly-once external effects on top of at-least-once jobs.
/// <para>The rule: (1) record the effect's key before acting; (2) act, marking the effect with something
/// the outside world keeps and we can search for (the correlation id in a workflow run name, a hidden marker
/// in a comment body, a nonce on a Discord message); (3) record the result. A retry that finds a completed
/// record returns its result without acting. A retry that finds only the intent cannot know whether step 2
/// happened before a crash, so it reconciles: it looks the marker up and, if found, records that result
/// instead of acting again. Only when the lookup finds nothing is the effect performed again.</para>
/// </summary>
public sealed partial class Effects(IEffectLedger ledger, ILogger<Effects> logger)
{
    /// <param name="key">Unique per effect, e.g. "dispatch:{runId}:{issue}".</param>
    /// <param name="reconcile">Finds the effect's result if it already happened; null when it did not.</param>
    /// <param name="perform">Performs the effect and returns its result (an id).</param>
    public Task<string> OnceAsync(
        string key,
        Func<CancellationToken, Task<string?>> reconcile,
        Func<CancellationToken, Task<string>> perform,
        CancellationToken cancellationToken) =>
        OnceAsync(key, (_, ct) => reconcile(ct), perform, cancellationToken);

    /// <summary>
    /// As above, with the recorded intent passed to <paramref name="reconcile"/>: its
    /// <see cref="EffectRecord.StartedAt"/> bounds the search when marks of earlier, similar effects exist
    /// (e.g. the workflow runs of a task's earlier attempts, which carry the same correlation id).
    /// </summary>
    public async Task<string> OnceAsync(
        string key,
        Func<EffectRecord, CancellationToken, Task<string?>> reconcile,
        Func<CancellationToken, Task<string>> perform,
        CancellationToken cancellationToken)
    {
        var claim = await ledger.BeginAsync(key, cancellationToken);
        if (claim.Record is { State: EffectState.Completed, Result: { } done })
        {
            Log.AlreadyDone(logger, key);
            return done;
        }

        if (!claim.IsNew)
        {
            var found = await reconcile(claim.Record, cancellationToken);
            if (found is not null)
            {
                Log.Reconciled(logger, key);
                await ledger.CompleteAsync(key, found, cancellationToken);
                return found;
            }
        }

        var result = await perform(cancellationToken);
        await ledger.CompleteAsync(key, result, cancellationToken);
        return result;
    }

    /// <summary>For effects whose repetition is harmless to detect but has no result worth keeping.</summary>
    public Task<string> OnceAsync(string key, Func<CancellationToken, Task<bool>> alreadyDone, Func<CancellationToken, Task> perform, CancellationToken cancellationToken) =>
        OnceAsync(
            key,
            async ct => await alreadyDone(ct) ? "done" : null,
            async ct =>
            {
                await perform(ct);
                return "done";
            },
            cancellationToken);

    private static partial class Log
    {
        [LoggerMessage(EventId = 320, Level = LogLevel.Debug, Message = "Effect {Key} already completed; not repeated")]
        public static partial void AlreadyDone(ILogger logger, string key);

        [LoggerMessage(EventId = 321, Level = LogLevel.Information, Message = "Effect {Key} found by reconciliation after an interrupted attempt; not repeated")]
        public static partial void Reconciled(ILogger logger, string key);
    }
}
