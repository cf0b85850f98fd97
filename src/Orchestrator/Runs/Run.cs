using System.Security.Cryptography;

namespace Orchestrator.Runs;

/// <summary>A time-sortable run id: 10 Crockford base32 characters of milliseconds, then 16 random ones (a ULID).</summary>
public readonly record struct RunId(string Value)
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public static RunId New(TimeProvider time)
    {
        var ms = time.GetUtcNow().ToUnixTimeMilliseconds();
        Span<char> chars = stackalloc char[26];
        for (var i = 9; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(ms & 31)];
            ms >>= 5;
        }

        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        for (var i = 10; i < 26; i++)
        {
            chars[i] = Alphabet[random[i - 10] & 31];
        }

        return new RunId(new string(chars));
    }

    public override string ToString() => Value;
}

public enum RunState
{
    Pending,
    Approved,
    InProgress,
    Shipping,
    Completed,
    Failed,
    Rejected,
    Cancelled,
}

public enum TaskState
{
    Queued,
    Dispatched,
    PrOpen,
    ChecksPassing,
    ChecksFailing,
    Merged,
    Failed,
}

/// <summary>An issue in the plan, as GitHub described it when the plan was made. Title and labels are untrusted text.</summary>
public sealed record PlannedIssue(int Number, string Title, string Url, IReadOnlyList<string> Labels);

/// <summary>Where the run lives in Discord.</summary>
public sealed record DiscordLocation(string? GuildId, string ChannelId, string? ThreadId, string? PlanMessageId, string? StatusMessageId);

/// <summary>
/// One task per planned issue. <see cref="Checks"/> maps each check (check run, suite or workflow) reported
/// for <see cref="HeadSha"/> to its latest conclusion ("pending" until it completes).
/// </summary>
public sealed record RunTask(
    int IssueNumber,
    TaskState State,
    string CorrelationId,
    int? PullRequestNumber = null,
    string? PullRequestUrl = null,
    string? HeadSha = null,
    string? HeadBranch = null,
    string? ChecksConclusion = null,
    string? DispatchId = null,
    int Attempts = 0,
    string? LastError = null,
    DateTimeOffset? DispatchedAt = null,
    DateTimeOffset? MergedAt = null,
    bool FlaggedStale = false,
    IReadOnlyDictionary<string, string>? Checks = null);

/// <summary>The deploy of a shipping run.</summary>
public sealed record ShipInfo(
    string CorrelationId,
    string RequestedBy,
    DateTimeOffset RequestedAt,
    string? ForcedReason = null,
    long? WorkflowRunId = null,
    string? WorkflowRunUrl = null,
    string? Conclusion = null,
    DateTimeOffset? CompletedAt = null,
    int? HealthStatus = null,
    double? HealthLatencyMs = null);

/// <summary>
/// A run of the daily loop. Stored as a document; <see cref="Version"/> makes every update optimistic:
/// a store writes only if the stored version equals the one read, then increments it.
/// </summary>
public sealed record Run(
    RunId Id,
    string Repository,
    RunState State,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<PlannedIssue> Plan,
    DiscordLocation? Discord,
    IReadOnlyList<RunTask> Tasks,
    long Version,
    string? RequestedBy = null,
    string? ApprovedBy = null,
    string? Reason = null,
    ShipInfo? Ship = null,
    bool OnHold = false)
{
    public static bool IsActive(RunState state) =>
        state is RunState.Pending or RunState.Approved or RunState.InProgress or RunState.Shipping;
}

/// <summary>
/// Runs and their lookups. <see cref="UpdateAsync"/> is conditional on <see cref="Run.Version"/> and throws
/// <see cref="Storage.ConcurrencyConflictException"/> when another writer got there first.
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

/// <summary>Applies <paramref name="change"/> to the freshest copy of a run until the conditional write wins.</summary>
public static class RunStoreExtensions
{
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
            catch (Storage.ConcurrencyConflictException) when (attempt < attempts)
            {
                // Lost the race: read the winner's version and apply the change again.
            }
        }
    }
}
