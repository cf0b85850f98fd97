using System.Text.RegularExpressions;
using Orchestrator.GitHub;
using Orchestrator.Runs;

namespace Orchestrator.Workflow;

/// <summary>What a plan takes, in order, and what it leaves out with the reason.</summary>
public sealed record PlanChoice(IReadOnlyList<GitHubIssue> Planned, IReadOnlyList<SkippedIssue> Skipped);

/// <summary>
/// The rules of a plan that respects the work: an issue is left out when it has a skip label, is assigned to a person
/// (the executor's own agent does not count), has an open pull request (closing keywords, branch name or the agent's
/// branch pattern), or depends on an open issue that is not in the plan ("depends on #N", "blocked by #N"). The rest are
/// ordered by priority label, then age, and an issue always comes after the issues it depends on.
/// </summary>
public static partial class PlanSelection
{
    public static PlanChoice Choose(
        IReadOnlyList<GitHubIssue> ready,
        IReadOnlyList<GitHubPullRequest> openPulls,
        RepositoryOptions repository,
        IReadOnlyList<string> agentLogins,
        Func<string, int, bool> isAgentBranch,
        IReadOnlySet<int> openOutside,
        int limit)
    {
        var skipLabels = RepositoryOptions.Split(repository.SkipLabels);
        var priorities = RepositoryOptions.Split(repository.PriorityLabels);
        var skipped = new List<SkippedIssue>();
        var kept = new List<GitHubIssue>();
        foreach (var issue in ready)
        {
            var reason = Reason(issue, openPulls, repository.Name, skipLabels, agentLogins, isAgentBranch);
            if (reason is null)
            {
                kept.Add(issue);
            }
            else
            {
                skipped.Add(Skip(issue, reason));
            }
        }

        kept = [.. kept.OrderBy(i => Priority(i, priorities)).ThenBy(i => i.CreatedAt).ThenBy(i => i.Number)];

        // Leave out what depends on an open issue outside the plan, until nothing changes (one leaving may block another).
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var issue in kept.ToList())
            {
                var blocker = DependsOn(issue.Body).FirstOrDefault(d => d != issue.Number && kept.All(k => k.Number != d) && (openOutside.Contains(d) || skipped.Any(s => s.Number == d)));
                if (blocker != 0)
                {
                    kept.Remove(issue);
                    skipped.Add(Skip(issue, $"blocked by #{blocker}, which is open and not in this plan"));
                    changed = true;
                }
            }
        }

        // Stable topological order: the first issue (by priority and age) whose dependencies in the plan are placed.
        var ordered = new List<GitHubIssue>();
        while (kept.Count > 0)
        {
            var next = kept.FirstOrDefault(i => DependsOn(i.Body).All(d => d == i.Number || kept.All(k => k.Number != d)));
            if (next is null)
            {
                skipped.AddRange(kept.Select(i => Skip(i, "its dependencies form a cycle")));
                break;
            }

            ordered.Add(next);
            kept.Remove(next);
        }

        return new PlanChoice([.. ordered.Take(limit)], skipped);
    }

    /// <summary>Issues a body says this one waits for: "depends on #12", "blocked by #12".</summary>
    public static IReadOnlyList<int> DependsOn(string? body) =>
        body is null ? [] : [.. Dependency().Matches(body).Select(m => int.Parse(m.Groups["number"].ValueSpan, System.Globalization.CultureInfo.InvariantCulture)).Distinct()];

    private static string? Reason(GitHubIssue issue, IReadOnlyList<GitHubPullRequest> openPulls, string repository, IReadOnlyList<string> skipLabels, IReadOnlyList<string> agentLogins, Func<string, int, bool> isAgentBranch)
    {
        if (issue.Labels.FirstOrDefault(l => skipLabels.Contains(l, StringComparer.OrdinalIgnoreCase)) is { } label)
        {
            return $"label `{label}`";
        }

        var people = issue.Assignees.Where(a => !agentLogins.Contains(a, StringComparer.OrdinalIgnoreCase)).ToList();
        if (people.Count > 0)
        {
            return "assigned to " + string.Join(", ", people.Select(p => "@" + p));
        }

        var pull = openPulls.FirstOrDefault(p =>
            Tracking.ClosingReferences(repository, p.Title, p.Body).Contains(issue.Number)
            || Tracking.BranchReferences(p.HeadRef).Contains(issue.Number)
            || isAgentBranch(p.HeadRef, issue.Number));
        return pull is null ? null : $"open pull request #{pull.Number}";
    }

    private static int Priority(GitHubIssue issue, IReadOnlyList<string> priorities)
    {
        for (var i = 0; i < priorities.Count; i++)
        {
            if (issue.Labels.Contains(priorities[i], StringComparer.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return priorities.Count;
    }

    private static SkippedIssue Skip(GitHubIssue issue, string reason) => new(issue.Number, issue.Title, issue.HtmlUrl.ToString(), reason);

    [GeneratedRegex(@"\b(?:depends\s+on|blocked\s+by)\s*:?\s+#(?<number>\d{1,9})\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Dependency();
}
