using System.Text.RegularExpressions;
using Orchestrator.Runs;

namespace Orchestrator.Workflow;

/// <summary>
/// The pure rules that move tasks: how a pull request is linked to an issue, and how pull request and check
/// events change a task's state. Handlers load and save runs; these functions decide.
/// </summary>
public static partial class Tracking
{
    public const string Pending = "pending";

    private static readonly HashSet<string> Green = new(StringComparer.OrdinalIgnoreCase) { "success", "neutral", "skipped" };

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

    public static RunTask PullRequestOpened(RunTask task, int number, string url, string headSha, string headBranch)
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
        };
        return updated with { State = task.State == TaskState.Merged ? TaskState.Merged : StateFromChecks(updated.Checks) };
    }

    public static RunTask PullRequestClosed(RunTask task, bool merged, DateTimeOffset at, int number) =>
        merged
            ? task with { State = TaskState.Merged, MergedAt = at }
            : task with { State = TaskState.Failed, LastError = $"Pull request #{number} was closed without merging." };

    /// <summary>Records a check's conclusion for the task's current head; reports for an older head are ignored.</summary>
    public static RunTask CheckReported(RunTask task, string headSha, string checkName, string? conclusion)
    {
        if (!string.Equals(task.HeadSha, headSha, StringComparison.OrdinalIgnoreCase))
        {
            return task;
        }

        var checks = new Dictionary<string, string>(task.Checks ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            [checkName] = string.IsNullOrEmpty(conclusion) ? Pending : conclusion,
        };
        var state = task.State == TaskState.Merged ? TaskState.Merged : StateFromChecks(checks);
        return task with { Checks = checks, State = state };
    }

    /// <summary>Any failing check fails the head; all completed and green passes it; otherwise it waits.</summary>
    public static TaskState StateFromChecks(IReadOnlyDictionary<string, string>? checks)
    {
        if (checks is null || checks.Count == 0)
        {
            return TaskState.PrOpen;
        }

        if (checks.Values.Any(IsFailing))
        {
            return TaskState.ChecksFailing;
        }

        return checks.Values.All(Green.Contains) ? TaskState.ChecksPassing : TaskState.PrOpen;
    }

    /// <summary>Shippable: merged, and no reported check is failing or still pending.</summary>
    public static bool IsShippable(RunTask task) =>
        task.State == TaskState.Merged && (task.Checks is null || task.Checks.Values.All(Green.Contains));

    public static bool IsFailing(string conclusion) =>
        !Green.Contains(conclusion) && !string.Equals(conclusion, Pending, StringComparison.Ordinal);

    [GeneratedRegex(@"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\b:?\s+(?<repo>[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)?#(?<number>\d{1,9})\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ClosingKeyword();

    [GeneratedRegex(@"(?:^|[/_-])(?:issue[-_]?|gh[-_]?|fix[-_]|#)?(?<number>\d{1,9})(?=$|[/_-])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BranchNumber();

    [GeneratedRegex(@"orc-[0-9A-HJKMNP-TV-Z]{26}-(?:\d{1,9}|ship)", RegexOptions.CultureInvariant)]
    private static partial Regex CorrelationPattern();
}
