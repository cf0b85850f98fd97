using System.Text.RegularExpressions;
using Orchestrator.Runs;

namespace Orchestrator.Workflow;

/// <summary>What a check's conclusion means for a task.</summary>
public enum CheckOutcome
{
    Green,
    Failing,
    Pending,
    NeedsApproval,
}

/// <summary>
/// The pure rules that move tasks: how a pull request is linked to an issue, and how pull request and check
/// events change a task's state. Handlers load and save runs; these functions decide.
/// </summary>
public static partial class Tracking
{
    public const string Pending = "pending";

    /// <summary><see cref="RunTask.FirstHeadChecks"/> when the pull request got a new head before its first head's checks concluded.</summary>
    public const string Superseded = "superseded";

    /// <summary>The correlation id of a task: it goes into workflow inputs and the run name, so events can be matched back.</summary>
    public static string CorrelationId(RunId run, int issueNumber) => $"orc-{run.Value}-{issueNumber}";

    public static string ShipCorrelationId(RunId run) => $"orc-{run.Value}-ship";

    /// <summary>Issue numbers a pull request says it closes ("Fixes #12", "closes owner/repo#12" for the same repository).</summary>
    public static IReadOnlyList<int> ClosingReferences(string repository, string? title, string? body)
    {
        var numbers = new List<int>();
        foreach (var text in new[] { title, body })
        {
            if (string.IsNullOrEmpty(text))
            {
                continue;
            }

            foreach (Match match in ClosingKeyword().Matches(text))
            {
                var repo = match.Groups["repo"].Value;
                if ((repo.Length == 0 || string.Equals(repo, repository, StringComparison.OrdinalIgnoreCase))
                    && int.TryParse(match.Groups["number"].ValueSpan, out var number) && !numbers.Contains(number))
                {
                    numbers.Add(number);
                }
            }
        }

        return numbers;
    }

    /// <summary>Issue numbers a branch name points at: "12-fix-login", "issue-12", "fix/12-login", "copilot/fix-12".</summary>
    public static IReadOnlyList<int> BranchReferences(string? branch)
    {
        if (string.IsNullOrEmpty(branch))
        {
            return [];
        }

        return [.. BranchNumber().Matches(branch).Select(m => int.Parse(m.Groups["number"].ValueSpan, System.Globalization.CultureInfo.InvariantCulture)).Distinct()];
    }

    /// <summary>A correlation id quoted anywhere in a text (a run name, a branch, a pull request body).</summary>
    public static string? FindCorrelationId(string? text) =>
        text is null ? null : CorrelationPattern().Match(text) is { Success: true } m ? m.Value : null;

    /// <summary>
    /// A pull request of the task opened or changed (<paramref name="at"/>: when it was seen). The first one linked
    /// sets <see cref="RunTask.PullRequestAt"/>; a new head before the first head's checks concluded marks the first
    /// head <see cref="Superseded"/>.
    /// </summary>
    public static RunTask PullRequestOpened(RunTask task, int number, string url, string headSha, string headBranch, DateTimeOffset at, bool draft = false, string? baseBranch = null)
    {
        var sameHead = task.PullRequestNumber == number && task.HeadSha == headSha;
        var updated = task with
        {
            PullRequestNumber = number,
            PullRequestUrl = url,
            HeadSha = headSha,
            HeadBranch = headBranch,
            Checks = sameHead ? task.Checks : null,
            LastError = null,
            FlaggedStale = false,
            Draft = draft,
            BaseBranch = baseBranch ?? task.BaseBranch,
            State = task.State == TaskState.Merged ? TaskState.Merged : TaskState.PrOpen, // a reopened pull request revives a failed task
            Failure = null,
            PullRequestAt = Earliest(task.PullRequestAt, at),
        };
        return JudgeFirstHead(task, updated with { State = StateOf(updated) });
    }

    public static RunTask PullRequestClosed(RunTask task, bool merged, DateTimeOffset at, int number) =>
        merged
            ? task with { State = TaskState.Merged, MergedAt = at, Failure = null, PullRequestAt = Earliest(task.PullRequestAt, at) }
            : task with { State = TaskState.Failed, LastError = $"Pull request #{number} was closed without merging.", Failure = TaskFailure.PullRequestClosed, PullRequestAt = Earliest(task.PullRequestAt, at) };

    /// <summary>Records a check's conclusion for the task's current head; reports for an older head are ignored.</summary>
    public static RunTask CheckReported(RunTask task, string headSha, string checkName, string? conclusion)
    {
        if (!string.Equals(task.HeadSha, headSha, StringComparison.OrdinalIgnoreCase))
        {
            return task;
        }

        var checks = new Dictionary<string, string>(task.Checks ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            [checkName] = string.IsNullOrEmpty(conclusion) ? Pending : conclusion.ToLowerInvariant(),
        };
        var updated = task with { Checks = checks };
        return JudgeFirstHead(task, updated with { State = StateOf(updated) });
    }

    /// <summary>The checks that decide: the required ones when the base branch requires some, else every reported one.</summary>
    public static IReadOnlyDictionary<string, string> Deciding(RunTask task)
    {
        var checks = task.Checks ?? new Dictionary<string, string>();
        if (task.RequiredChecks is not { Count: > 0 } required)
        {
            return checks;
        }

        return checks.Where(c => required.Contains(CheckName(c.Key), StringComparer.Ordinal) && IsRequirable(c.Key))
            .ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);
    }

    /// <summary>
    /// A task's state from its pull request and checks. A run waiting for approval holds the head's checks back,
    /// so it wins over everything; a draft means the agent is still at work; then the deciding checks say.
    /// </summary>
    public static TaskState StateOf(RunTask task)
    {
        if (task.State is TaskState.Merged or TaskState.Failed || task.PullRequestNumber is null)
        {
            return task.State;
        }

        if (task.Checks is { } all && all.Values.Any(c => Classify(c) == CheckOutcome.NeedsApproval))
        {
            return TaskState.NeedsApproval;
        }

        if (task.Draft)
        {
            return TaskState.AgentWorking;
        }

        return ChecksOutcome(task) switch
        {
            CheckOutcome.Failing => TaskState.ChecksFailing,
            CheckOutcome.Green => TaskState.ChecksPassing,
            _ => TaskState.PrOpen,
        };
    }

    /// <summary>
    /// What the deciding checks of the task's head say together: Failing when one fails; Green when every required
    /// one (every reported one when none is required, and at least one) passed; else Pending. Drafts and approvals
    /// do not matter here.
    /// </summary>
    public static CheckOutcome ChecksOutcome(RunTask task)
    {
        var deciding = Deciding(task);
        if (deciding.Values.Any(IsFailing))
        {
            return CheckOutcome.Failing;
        }

        var green = task.RequiredChecks is { Count: > 0 } required
            ? required.All(name => deciding.Any(c => CheckName(c.Key) == name && Classify(c.Value) == CheckOutcome.Green))
            : deciding.Count > 0 && deciding.Values.All(c => Classify(c) == CheckOutcome.Green);
        return green ? CheckOutcome.Green : CheckOutcome.Pending;
    }

    /// <summary>Shippable: merged, and none of the deciding checks is failing, pending or waiting for approval.</summary>
    public static bool IsShippable(RunTask task) =>
        task.State == TaskState.Merged && Deciding(task).Values.All(c => Classify(c) == CheckOutcome.Green);

    public static bool IsFailing(string conclusion) => Classify(conclusion) == CheckOutcome.Failing;

    /// <summary>
    /// What a check's conclusion (check runs, suites, workflow runs) or a commit status's state means. Every value
    /// GitHub documents is listed (docs/loop.md); anything else waits rather than passes.
    /// </summary>
    public static CheckOutcome Classify(string conclusion) => conclusion.ToLowerInvariant() switch
    {
        "success" or "neutral" or "skipped" => CheckOutcome.Green,
        "failure" or "cancelled" or "timed_out" or "startup_failure" or "stale" or "error" => CheckOutcome.Failing,
        "action_required" => CheckOutcome.NeedsApproval,
        _ => CheckOutcome.Pending, // "pending", "queued", "in_progress", "waiting", "requested", null
    };

    /// <summary>
    /// Records once how the checks of the first head of the task's pull request ended: "success" or "failure" when
    /// they conclude, <see cref="Superseded"/> when the head changes first. <paramref name="before"/> is the task
    /// before the change: while <see cref="RunTask.FirstHeadChecks"/> is unset, its head is still the first one.
    /// </summary>
    private static RunTask JudgeFirstHead(RunTask before, RunTask after)
    {
        if (after.FirstHeadChecks is not null || after.PullRequestNumber is null)
        {
            return after;
        }

        if (before.PullRequestNumber is not null && !string.Equals(before.HeadSha, after.HeadSha, StringComparison.OrdinalIgnoreCase))
        {
            return after with { FirstHeadChecks = Superseded };
        }

        return ChecksOutcome(after) switch
        {
            CheckOutcome.Green => after with { FirstHeadChecks = "success" },
            CheckOutcome.Failing => after with { FirstHeadChecks = "failure" },
            _ => after,
        };
    }

    private static DateTimeOffset Earliest(DateTimeOffset? recorded, DateTimeOffset at) => recorded is { } earlier && earlier <= at ? earlier : at;

    /// <summary>"check:build" → "build": the name a required status check uses.</summary>
    public static string CheckName(string key) => key.IndexOf(':', StringComparison.Ordinal) is var at and >= 0 ? key[(at + 1)..] : key;

    /// <summary>Check runs and commit statuses can be required; suites and whole workflows cannot.</summary>
    private static bool IsRequirable(string key) => key.StartsWith("check:", StringComparison.Ordinal) || key.StartsWith("status:", StringComparison.Ordinal);

    [GeneratedRegex(@"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\b:?\s+(?<repo>[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)?#(?<number>\d{1,9})\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ClosingKeyword();

    [GeneratedRegex(@"(?:^|[/_-])(?:issue[-_]?|gh[-_]?|fix[-_]|#)?(?<number>\d{1,9})(?=$|[/_-])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BranchNumber();

    [GeneratedRegex(@"orc-[0-9A-HJKMNP-TV-Z]{26}-(?:\d{1,9}|ship)", RegexOptions.CultureInvariant)]
    private static partial Regex CorrelationPattern();
}
