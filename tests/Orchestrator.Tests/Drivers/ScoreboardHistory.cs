using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Runs;

namespace Orchestrator.Tests.Drivers;

/// <summary>
/// A seeded history of runs of <see cref="Repo"/> for the scoreboard, with fixed times. Its window is November 2026
/// (<see cref="Since"/> to <see cref="Until"/>, 30 days). Executors: claude, copilot, and openhands (the repository's
/// default: a task naming none goes to it). ScoreboardTests works every figure out by hand from the table below.
/// <code>
/// run  state / deploy       issue  executor   dispatched    first PR  first head  end                size
/// A    completed, success      1  claude     11-02 09:00   +30m      success     merged +2h         S (advice)
///                              2  claude     11-02 09:00   +1h       failure     merged +4h         M (label)
///                              3  copilot    11-02 09:00   +20m      superseded  merged +3h         S (label)
///                              4  (none)     11-02 09:00   +2h       success     merged +6h         L (label)
/// B    in progress            11  claude     11-20 10:00   +45m      success     checks passing     S (advice beats label L)
///                             12  claude     11-20 10:00   -         -           failed: agent      S (label)
///                             13  copilot    11-20 10:00   +1h       failure     failed: PR closed  M (advice)
///                             14  copilot    11-20 10:00   -         -           failed, no reason  S (label)
///                             15  openhands  11-20 10:00   -         -           dispatched         -
/// C    completed, failure     21  claude     11-10 08:00   +1h       -           merged +12h        S (advice)
///                             22  copilot    11-10 08:00   +10m      success     merged +1h10m      M (label)
/// D    completed, success     31  claude     10-20 09:00   +1h       success     merged +3h         outside: before the window
///                             32  copilot    10-31 23:59   +1h       success     merged +2h         outside: a minute before
///                             33  claude     11-01 00:00   +1h       success     merged +3h         S (label); inside: the first instant
/// E    in progress            41  claude     12-01 00:00   -         -           dispatched         outside: the end is open
///                             42  claude     never         -         -           failed: unclear    outside: never dispatched
/// </code>
/// </summary>
public static class ScoreboardHistory
{
    public const string Repo = "octo/app";

    public static readonly DateTimeOffset Since = At("11-01 00:00");

    public static readonly DateTimeOffset Until = At("12-01 00:00");

    /// <summary>The settings of <see cref="Repo"/> with its three executors (openhands the default).</summary>
    public static IReadOnlyDictionary<string, string?> Settings(int repository = 0) => new Dictionary<string, string?>
    {
        [$"Orchestrator:Repositories:{repository}:Name"] = Repo,
        [$"Orchestrator:Repositories:{repository}:Executors:0:Kind"] = "Claude",
        [$"Orchestrator:Repositories:{repository}:Executors:1:Kind"] = "Copilot",
        [$"Orchestrator:Repositories:{repository}:Executors:2:Kind"] = "OpenHands",
        [$"Orchestrator:Repositories:{repository}:Executors:2:Default"] = "true",
    };

    public static IReadOnlyList<Run> Runs(string repository = Repo) =>
    [
        NewRun(repository, "A", "11-02 08:00", RunState.Completed, "success",
            Task(1, "claude", "11-02 09:00", pr: 30, firstHead: "success", merged: 120, advice: IssueSize.S),
            Task(2, "claude", "11-02 09:00", pr: 60, firstHead: "failure", merged: 240, labels: ["size:M"]),
            Task(3, "copilot", "11-02 09:00", pr: 20, firstHead: "superseded", merged: 180, labels: ["size:S"]),
            Task(4, null, "11-02 09:00", pr: 120, firstHead: "success", merged: 360, labels: ["size:L"])),
        NewRun(repository, "B", "11-20 09:00", RunState.InProgress, null,
            Task(11, "claude", "11-20 10:00", pr: 45, firstHead: "success", state: TaskState.ChecksPassing, labels: ["size:L"], advice: IssueSize.S),
            Task(12, "claude", "11-20 10:00", failure: TaskFailure.Agent, labels: ["size:S"]),
            Task(13, "copilot", "11-20 10:00", pr: 60, firstHead: "failure", failure: TaskFailure.PullRequestClosed, advice: IssueSize.M),
            Task(14, "copilot", "11-20 10:00", state: TaskState.Failed, labels: ["size:S"]),
            Task(15, "openhands", "11-20 10:00")),
        NewRun(repository, "C", "11-10 07:00", RunState.Completed, "failure",
            Task(21, "claude", "11-10 08:00", pr: 60, merged: 720, advice: IssueSize.S),
            Task(22, "copilot", "11-10 08:00", pr: 10, firstHead: "success", merged: 70, labels: ["size:M"])),
        NewRun(repository, "D", "10-20 08:00", RunState.Completed, "success",
            Task(31, "claude", "10-20 09:00", pr: 60, firstHead: "success", merged: 180, labels: ["size:S"]),
            Task(32, "copilot", "10-31 23:59", pr: 60, firstHead: "success", merged: 120, labels: ["size:S"]),
            Task(33, "claude", "11-01 00:00", pr: 60, firstHead: "success", merged: 180, labels: ["size:S"])),
        NewRun(repository, "E", "11-30 20:00", RunState.InProgress, null,
            Task(41, "claude", "12-01 00:00", labels: ["size:S"]),
            Task(42, "claude", null, failure: TaskFailure.Unclear, labels: ["size:S"])),
    ];

    /// <summary>"11-02 09:00" in 2026, UTC.</summary>
    public static DateTimeOffset At(string monthDayTime) =>
        DateTimeOffset.Parse($"2026-{monthDayTime}:00Z", CultureInfo.InvariantCulture);

    private static (RunTask Task, IReadOnlyList<string> Labels, IssueSize? Advice) Task(
        int issue,
        string? executor,
        string? dispatched,
        int? pr = null,
        string? firstHead = null,
        int? merged = null,
        TaskFailure? failure = null,
        TaskState? state = null,
        IReadOnlyList<string>? labels = null,
        IssueSize? advice = null)
    {
        var at = dispatched is null ? (DateTimeOffset?)null : At(dispatched);
        var task = new RunTask(
            issue,
            state ?? (merged is not null ? TaskState.Merged : failure is not null ? TaskState.Failed : pr is not null ? TaskState.PrOpen : TaskState.Dispatched),
            $"corr-{issue}",
            PullRequestNumber: pr is null ? null : 100 + issue,
            DispatchedAt: at,
            MergedAt: merged is { } m ? at!.Value.AddMinutes(m) : null,
            Executor: executor,
            PullRequestAt: pr is { } p ? at!.Value.AddMinutes(p) : null,
            FirstHeadChecks: firstHead,
            Failure: failure);
        return (task, labels ?? [], advice);
    }

    private static Run NewRun(string repository, string name, string created, RunState state, string? deploy, params (RunTask Task, IReadOnlyList<string> Labels, IssueSize? Advice)[] tasks)
    {
        var createdAt = At(created);
        var advice = tasks.Where(t => t.Advice is not null).Select(t => new IssueAdvice(t.Task.IssueNumber, "summary", t.Advice!.Value, true, null, [])).ToList();
        return new Run(
            RunId.New(new FakeTimeProvider(createdAt)),
            repository,
            state,
            createdAt,
            createdAt,
            [.. tasks.Select(t => new PlannedIssue(t.Task.IssueNumber, $"Run {name} issue {t.Task.IssueNumber}", $"https://github.com/{repository}/issues/{t.Task.IssueNumber}", [.. t.Labels]))],
            null,
            [.. tasks.Select(t => t.Task with { CorrelationId = $"corr-{name}-{t.Task.IssueNumber}" })],
            Version: 0,
            Ship: deploy is null ? null : new ShipInfo($"corr-{name}-ship", "discord:2", createdAt.AddDays(1), Conclusion: deploy),
            Advice: advice.Count == 0 ? null : new PlanAdvice(AdviceState.Enriched, null, null, [], advice));
    }
}
