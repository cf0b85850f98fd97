using Orchestrator.Runs;

namespace Orchestrator.Workflow;

/// <summary>The executor an issue goes to and the rule (or person) that chose it, as the plan shows it.</summary>
public sealed record Route(string Executor, string Reason);

/// <summary>
/// Per-issue routing: a label an executor lists wins; then the issue's size (the planning model's, else a
/// <c>size:S</c> label) against the executors' <c>Sizes</c>; then the default executor. Only the plan's own data is
/// read: an issue's text cannot name an executor.
/// </summary>
public static class Routing
{
    public static IssueSize? ParseSize(string text) =>
        text.Trim().ToUpperInvariant() switch
        {
            "S" => IssueSize.S,
            "M" => IssueSize.M,
            "L" => IssueSize.L,
            _ => null,
        };

    /// <summary>The issue's size: the planning model's when it gave one, else a <c>size:X</c> (or <c>size/X</c>) label.</summary>
    public static IssueSize? SizeOf(PlannedIssue issue, IssueAdvice? advice) =>
        advice?.Size ?? issue.Labels
            .Select(l => l.Length == 6 && (l.StartsWith("size:", StringComparison.OrdinalIgnoreCase) || l.StartsWith("size/", StringComparison.OrdinalIgnoreCase)) ? ParseSize(l[5..]) : null)
            .FirstOrDefault(s => s is not null);

    /// <summary>The route of an issue by the repository's rules (labels, sizes, default).</summary>
    public static Route ByRules(RepositoryOptions repository, PlannedIssue issue, IssueAdvice? advice)
    {
        var executors = repository.AllExecutors();
        foreach (var executor in executors)
        {
            var label = RepositoryOptions.Split(executor.Labels).FirstOrDefault(l => issue.Labels.Contains(l, StringComparer.OrdinalIgnoreCase));
            if (label is not null)
            {
                return new Route(executor.EffectiveName, "label " + label);
            }
        }

        if (SizeOf(issue, advice) is { } size)
        {
            var bySize = executors.FirstOrDefault(e => RepositoryOptions.Split(e.Sizes).Any(s => ParseSize(s) == size));
            if (bySize is not null)
            {
                return new Route(bySize.EffectiveName, "size " + size);
            }
        }

        return new Route(repository.DefaultExecutor.EffectiveName, "default");
    }

    /// <summary>True when the route was chosen by a label or a person, which a later size or score must not change.</summary>
    public static bool IsFixed(RunTask task) =>
        task.RoutedBy is { } reason && (reason.StartsWith("label ", StringComparison.Ordinal) || reason.StartsWith("changed by ", StringComparison.Ordinal));
}
