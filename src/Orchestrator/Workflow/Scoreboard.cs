using Microsoft.Extensions.Options;
using Orchestrator.Runs;
using Orchestrator.Storage;

namespace Orchestrator.Workflow;

/// <summary>
/// How one executor did over a window (see <see cref="Scoreboard.Compute"/> for what each figure counts). The rates are
/// null when their denominator is 0.
/// </summary>
public sealed record ExecutorScore(
    string Executor,
    int Dispatched,
    int PullRequests,
    TimeSpan? MedianTimeToPullRequest,
    int FirstHeadGreen,
    int FirstHeadJudged,
    int Merged,
    TimeSpan? MedianTimeToMerge,
    IReadOnlyDictionary<TaskFailure, int> Failed,
    int Shipped)
{
    /// <summary>Pull requests per dispatched task.</summary>
    public double? PullRequestRate => Rate(PullRequests, Dispatched);

    /// <summary>First heads whose checks passed per first head judged.</summary>
    public double? FirstHeadGreenRate => Rate(FirstHeadGreen, FirstHeadJudged);

    /// <summary>Merged tasks per dispatched task.</summary>
    public double? MergeRate => Rate(Merged, Dispatched);

    /// <summary>Failed tasks, whatever the reason.</summary>
    public int FailedTotal => Failed.Values.Sum();

    private static double? Rate(int count, int of) => of == 0 ? null : (double)count / of;
}

/// <summary>
/// The scoreboard of issue 15: how each executor does, from the tasks the runs hold. A task counts in a window when its
/// (latest) dispatch falls in it; a task its executor refused to start counts when its run was made. Tasks held back
/// as unclear were never handed to an executor, so they are on no executor's score.
/// </summary>
public static class Scoreboard
{
    /// <summary>
    /// Tasks whose <see cref="RunTask.DispatchedAt"/> is in [<paramref name="since"/>, <paramref name="until"/>), grouped by
    /// <paramref name="executorOf"/> (names compared ignoring case), optionally only issues of one <paramref name="size"/>
    /// (<see cref="Routing.SizeOf"/> of the plan's entry and advice); sorted by executor name. For each executor:
    /// <list type="bullet">
    /// <item><c>Dispatched</c>: those tasks. <c>PullRequests</c>: those with a pull request linked
    /// (<see cref="RunTask.PullRequestAt"/>); its median is of PullRequestAt − DispatchedAt.</item>
    /// <item><c>FirstHeadJudged</c>: first heads whose checks concluded or were superseded (<see cref="RunTask.FirstHeadChecks"/>
    /// set); <c>FirstHeadGreen</c>: those that passed.</item>
    /// <item><c>Merged</c>: tasks merged; its median is of MergedAt − DispatchedAt.</item>
    /// <item><c>Failed</c>: failed tasks by <see cref="RunTask.Failure"/>, <see cref="TaskFailure.Unrecorded"/> when the task
    /// has none (it failed before reasons were recorded); only reasons with a task are listed.</item>
    /// <item><c>Shipped</c>: merged tasks of runs completed with a successful deploy.</item>
    /// </list>
    /// A median of an even count is the mean of the two middle values; a duration below zero (a pull request linked
    /// before a re-dispatch) counts as zero.
    /// </summary>
    public static IReadOnlyList<ExecutorScore> Compute(IEnumerable<Run> runs, Func<Run, RunTask, string> executorOf, DateTimeOffset since, DateTimeOffset until, IssueSize? size = null)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(executorOf);
        var counted =
            from run in runs
            from task in run.Tasks
            let at = CountedAt(run, task)
            where at is { } counted && counted >= since && counted < until
            where size is null || SizeOf(run, task) == size
            select (Run: run, Task: task, Executor: executorOf(run, task));
        return [.. counted
            .GroupBy(c => c.Executor, StringComparer.OrdinalIgnoreCase)
            .Select(g => Score(g.First().Executor, [.. g.Select(c => (c.Run, c.Task))]))
            .OrderBy(s => s.Executor, StringComparer.OrdinalIgnoreCase)];
    }

    private static ExecutorScore Score(string executor, IReadOnlyList<(Run Run, RunTask Task)> tasks)
    {
        var withPullRequest = tasks.Where(t => t.Task.PullRequestAt is not null).ToList();
        var judged = tasks.Count(t => t.Task.FirstHeadChecks is "success" or "failure" or Tracking.Superseded);
        var merged = tasks.Where(t => t.Task.State == TaskState.Merged).ToList();
        var failed = new SortedDictionary<TaskFailure, int>();
        foreach (var (_, task) in tasks.Where(t => t.Task.State == TaskState.Failed))
        {
            var reason = task.Failure ?? TaskFailure.Unrecorded;
            failed[reason] = failed.GetValueOrDefault(reason) + 1;
        }

        return new ExecutorScore(
            executor,
            tasks.Count,
            withPullRequest.Count,
            Median(withPullRequest.Where(t => t.Task.DispatchedAt is not null).Select(t => t.Task.PullRequestAt!.Value - t.Task.DispatchedAt!.Value)),
            tasks.Count(t => t.Task.FirstHeadChecks == "success"),
            judged,
            merged.Count,
            Median(merged.Where(t => t.Task is { MergedAt: not null, DispatchedAt: not null }).Select(t => t.Task.MergedAt!.Value - t.Task.DispatchedAt!.Value)),
            failed,
            merged.Count(t => t.Run is { State: RunState.Completed, Ship.Conclusion: "success" }));
    }

    /// <summary>
    /// When a task counts: its (latest) dispatch; a task whose executor refused to start it has none, so it counts when
    /// its run was made (the refusal is that executor's failure). Tasks held back as unclear are on no one's score.
    /// </summary>
    private static DateTimeOffset? CountedAt(Run run, RunTask task) =>
        task.DispatchedAt ?? (task is { State: TaskState.Failed, Failure: TaskFailure.Dispatch } ? run.CreatedAt : null);

    private static IssueSize? SizeOf(Run run, RunTask task) =>
        run.Plan.FirstOrDefault(i => i.Number == task.IssueNumber) is { } issue ? Routing.SizeOf(issue, run.Advice?.For(task.IssueNumber)) : null;

    private static TimeSpan? Median(IEnumerable<TimeSpan> durations)
    {
        var sorted = durations.Select(d => d < TimeSpan.Zero ? TimeSpan.Zero : d).Order().ToList();
        if (sorted.Count == 0)
        {
            return null;
        }

        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : sorted[middle - 1] + ((sorted[middle] - sorted[middle - 1]) / 2);
    }
}

/// <summary>
/// The scoreboard from the store: the newest <see cref="RunScanLimit"/> runs of a repository (every repository when
/// null), over the last days up to now. A task's executor is the one it names, else its repository's default (as in
/// runs made before routing), else "default" when the repository is no longer configured.
/// </summary>
public sealed class ScoreboardQuery(IRunStore runs, IOptionsMonitor<WorkflowOptions> options, TimeProvider time)
{
    /// <summary>How many of the newest runs the scoreboard looks through.</summary>
    public const int RunScanLimit = 500;

    public const string UnconfiguredExecutor = "default";

    public async Task<IReadOnlyList<ExecutorScore>> ScoresAsync(string? repository, int days, IssueSize? size, CancellationToken cancellationToken)
    {
        var latest = await runs.ListLatestAsync(RunScanLimit, cancellationToken).ConfigureAwait(false);
        return Scores(latest, repository, days, size);
    }

    /// <summary>The name of a task's executor: its own, else its repository's default, else <see cref="UnconfiguredExecutor"/>.</summary>
    internal static string ExecutorOf(WorkflowOptions settings, Run run, RunTask task) =>
        task.Executor ?? settings.Find(run.Repository)?.DefaultExecutor.EffectiveName ?? UnconfiguredExecutor;

    /// <summary>The scores of runs already read (the metrics' refresh reads the newest runs once for all its gauges).</summary>
    internal IReadOnlyList<ExecutorScore> Scores(IEnumerable<Run> latest, string? repository, int days, IssueSize? size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(days, 1);
        var now = time.GetUtcNow();
        var settings = options.CurrentValue;
        return Scoreboard.Compute(
            latest.Where(r => repository is null || string.Equals(r.Repository, repository, StringComparison.OrdinalIgnoreCase)),
            (run, task) => ExecutorOf(settings, run, task),
            now - TimeSpan.FromDays(days),
            now,
            size);
    }
}
