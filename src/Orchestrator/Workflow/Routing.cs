using Orchestrator.Runs;
using Orchestrator.Storage;

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
    private const string LabelPrefix = "label ";

    private const string ChangedByPrefix = "changed by ";

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
    public static Route ByRules(RepositoryOptions repository, PlannedIssue issue, IssueAdvice? advice) =>
        ByLabel(repository, issue) ?? BySizeOrDefault(repository, issue, advice);

    /// <summary>
    /// The route of an issue when the repository's <c>Routing</c> is <see cref="RoutingMode.Best"/>: a label still wins;
    /// then, among the executors with at least <c>BestMinimumTasks</c> dispatched tasks of the issue's size in
    /// <paramref name="scoresBySize"/>, the best merge rate (ties to the earlier in the list) when two or more qualify;
    /// else the size and default rules, saying why best did not decide. The reason shows the figures used.
    /// </summary>
    public static Route Choose(RepositoryOptions repository, PlannedIssue issue, IssueAdvice? advice, IReadOnlyDictionary<IssueSize, IReadOnlyList<ExecutorScore>>? scoresBySize)
    {
        if (repository.Routing != RoutingMode.Best || scoresBySize is null)
        {
            return ByRules(repository, issue, advice);
        }

        if (ByLabel(repository, issue) is { } labelled)
        {
            return labelled;
        }

        var size = SizeOf(issue, advice);
        var fallback = BySizeOrDefault(repository, issue, advice);
        if (size is not { } known)
        {
            return fallback with { Reason = fallback.Reason + " · best: the issue has no size yet" };
        }

        var scores = scoresBySize.GetValueOrDefault(known) ?? [];
        var executors = repository.AllExecutors();
        var compared = executors
            .Select((e, order) => (Executor: e, Order: order, Score: scores.FirstOrDefault(s => string.Equals(s.Executor, e.EffectiveName, StringComparison.OrdinalIgnoreCase))))
            .Where(c => c.Score is { } score && score.Dispatched >= repository.BestMinimumTasks)
            .OrderByDescending(c => c.Score!.MergeRate ?? 0)
            .ThenBy(c => c.Order)
            .ToList();
        if (compared.Count < 2)
        {
            return fallback with { Reason = $"{fallback.Reason} · best: too little history for {known}" };
        }

        var figures = string.Join(", ", compared.Select(c => $"{c.Executor.EffectiveName} merged {c.Score!.Merged}/{c.Score.Dispatched} ({Percent(c.Score.MergeRate)})"));
        return new Route(compared[0].Executor.EffectiveName, $"best for {known}: {figures}");
    }

    private static string Percent(double? rate) =>
        rate is { } r ? Math.Round(r * 100, MidpointRounding.AwayFromZero).ToString("0", System.Globalization.CultureInfo.InvariantCulture) + "%" : "–";

    private static Route? ByLabel(RepositoryOptions repository, PlannedIssue issue)
    {
        foreach (var executor in repository.AllExecutors())
        {
            var label = RepositoryOptions.Split(executor.Labels).FirstOrDefault(l => issue.Labels.Contains(l, StringComparer.OrdinalIgnoreCase));
            if (label is not null)
            {
                return new Route(executor.EffectiveName, LabelPrefix + label);
            }
        }

        return null;
    }

    private static Route BySizeOrDefault(RepositoryOptions repository, PlannedIssue issue, IssueAdvice? advice)
    {
        var executors = repository.AllExecutors();
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

    /// <summary>The reason of a route a person chose (see <see cref="IsFixed"/>).</summary>
    public static string ChangedBy(string person) => ChangedByPrefix + person;

    /// <summary>True when the route was chosen by a label or a person, which a later size or score must not change.</summary>
    public static bool IsFixed(RunTask task) =>
        task.RoutedBy is { } reason && (reason.StartsWith(LabelPrefix, StringComparison.Ordinal) || reason.StartsWith(ChangedByPrefix, StringComparison.Ordinal));

}

/// <summary>Routes the issues of one plan, reading the scoreboard once when the repository routes by the best merge rate.</summary>
public sealed class RoutePlanner(IRunStore runs, ScoreboardQuery scoreboard)
{
    /// <summary>The scoreboard's window for <see cref="RoutingMode.Best"/>.</summary>
    public const int BestWindowDays = 90;

    /// <summary>The route of each issue of a plan of <paramref name="repository"/>, given the issue and the model's advice about it.</summary>
    public async Task<Func<PlannedIssue, IssueAdvice?, Route>> ForAsync(RepositoryOptions repository, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        if (repository.Routing != RoutingMode.Best || repository.Executors.Count < 2)
        {
            return (issue, advice) => Routing.ByRules(repository, issue, advice);
        }

        var latest = await runs.ListLatestAsync(ScoreboardQuery.RunScanLimit, cancellationToken).ConfigureAwait(false);
        var bySize = Enum.GetValues<IssueSize>().ToDictionary(s => s, s => scoreboard.Scores(latest, repository.Name, BestWindowDays, s));
        return (issue, advice) => Routing.Choose(repository, issue, advice, bySize);
    }
}
