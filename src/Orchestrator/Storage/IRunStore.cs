using Orchestrator.Runs;

namespace Orchestrator.Storage;

/// <summary>
/// Runs and their lookups. <see cref="UpdateAsync"/> is conditional on <see cref="Run.Version"/> and throws
/// <see cref="ConcurrencyConflictException"/> when another writer got there first.
/// </summary>
public interface IRunStore
{
    /// <summary>Stores a new run (Version must be 0; the stored run has Version 1).</summary>
    Task<Run> CreateAsync(Run run, CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="run"/> if the stored version equals run.Version; returns it with Version + 1 and UpdatedAt set.</summary>
    Task<Run> UpdateAsync(Run run, CancellationToken cancellationToken);

    Task<Run?> GetAsync(RunId id, CancellationToken cancellationToken);

    /// <summary>Newest first.</summary>
    Task<IReadOnlyList<Run>> ListLatestAsync(int count, CancellationToken cancellationToken);

    /// <summary>Runs of a repository whose state is active (pending, approved, in progress, shipping), newest first; all repositories when null.</summary>
    Task<IReadOnlyList<Run>> ListActiveAsync(string? repository, CancellationToken cancellationToken);

    Task<Run?> FindByThreadAsync(string threadId, CancellationToken cancellationToken);

    /// <summary>The run holding the task for a pull request of a repository.</summary>
    Task<Run?> FindByPullRequestAsync(string repository, int pullRequestNumber, CancellationToken cancellationToken);

    /// <summary>The newest run holding a task for an issue of a repository.</summary>
    Task<Run?> FindByIssueAsync(string repository, int issueNumber, CancellationToken cancellationToken);

    /// <summary>The run holding a task (or ship) with this correlation id.</summary>
    Task<Run?> FindByCorrelationIdAsync(string correlationId, CancellationToken cancellationToken);
}

public static class RunStoreExtensions
{
    /// <summary>
    /// Applies <paramref name="change"/> to the freshest copy of a run until the conditional write wins; a change that
    /// returns null or the run unchanged writes nothing.
    /// </summary>
    public static async Task<Run> UpdateWithRetryAsync(
        this IRunStore store,
        RunId id,
        Func<Run, Run?> change,
        CancellationToken cancellationToken,
        int attempts = 5)
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = await store.GetAsync(id, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Run {id} does not exist.");
            var changed = change(current);
            if (changed is null || changed == current)
            {
                return current;
            }

            try
            {
                return await store.UpdateAsync(changed, cancellationToken).ConfigureAwait(false);
            }
            catch (ConcurrencyConflictException) when (attempt < attempts)
            {
                // Lost the race: read the winner's version and apply the change again.
            }
        }
    }
}
