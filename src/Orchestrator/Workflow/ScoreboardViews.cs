using System.Globalization;
using Orchestrator.Discord;
using Orchestrator.Runs;

namespace Orchestrator.Workflow;

/// <summary>How the scoreboard reads in words: one line per executor (/stats), percentages, durations, failure reasons.</summary>
public static class ScoreboardViews
{
    /// <summary>
    /// e.g. <c>claude: 12 dispatched · PR 10 (83%, median 42m) · first-head green 6/9 (67%) · merged 8 (67%, median 5h) ·
    /// failed 2 (agent 1, PR closed 1) · shipped 7</c>.
    /// </summary>
    public static string Line(ExecutorScore score)
    {
        ArgumentNullException.ThrowIfNull(score);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"**{Markdown.Escape(score.Executor)}**: {score.Dispatched} dispatched · PR {score.PullRequests} ({Percent(score.PullRequestRate)}{Median(score.MedianTimeToPullRequest)}) · first-head green {FirstHead(score)} · merged {score.Merged} ({Percent(score.MergeRate)}{Median(score.MedianTimeToMerge)}) · failed {Failures(score)} · shipped {score.Shipped}");
    }

    /// <summary>"6/9 (67%)": first heads green of those judged; "-" when none was judged.</summary>
    public static string FirstHead(ExecutorScore score)
    {
        ArgumentNullException.ThrowIfNull(score);
        return score.FirstHeadJudged == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{score.FirstHeadGreen}/{score.FirstHeadJudged} ({Percent(score.FirstHeadGreenRate)})");
    }

    /// <summary>"2 (agent 1, PR closed 1)": failed tasks and their reasons; "0" when none failed.</summary>
    public static string Failures(ExecutorScore score)
    {
        ArgumentNullException.ThrowIfNull(score);
        return score.FailedTotal == 0
            ? "0"
            : string.Create(CultureInfo.InvariantCulture, $"{score.FailedTotal} ({string.Join(", ", score.Failed.Select(f => string.Create(CultureInfo.InvariantCulture, $"{Reason(f.Key)} {f.Value}")))})");
    }

    /// <summary>e.g. <c>claude: 3 tasks, 3 merged (median 2h 10m)</c>, for the ship summary.</summary>
    public static string AgentLine(ExecutorScore score)
    {
        ArgumentNullException.ThrowIfNull(score);
        return string.Create(CultureInfo.InvariantCulture, $"**{Markdown.Escape(score.Executor)}**: {score.Dispatched} task{(score.Dispatched == 1 ? string.Empty : "s")}, {score.Merged} merged{(score.MedianTimeToMerge is null ? string.Empty : " (median " + Span(score.MedianTimeToMerge) + ")")}");
    }

    /// <summary>"83%", or "-" for a rate with nothing to divide by.</summary>
    public static string Percent(double? rate) => rate is { } r ? (r * 100).ToString("0", CultureInfo.InvariantCulture) + "%" : "-";

    /// <summary>A duration to the minute in its two largest units: 45s, 42m, 5h, 3h 30m, 2d 4h; "-" for none.</summary>
    public static string Span(TimeSpan? span) => span switch
    {
        null => "-",
        { TotalMinutes: < 1 } s => $"{(int)s.TotalSeconds}s",
        { TotalHours: < 1 } s => $"{(int)s.TotalMinutes}m",
        { TotalDays: < 1 } s => s.Minutes == 0 ? $"{(int)s.TotalHours}h" : $"{(int)s.TotalHours}h {s.Minutes}m",
        { } s => s.Hours == 0 ? $"{(int)s.TotalDays}d" : $"{(int)s.TotalDays}d {s.Hours}h",
    };

    /// <summary>A failure reason as the scoreboard names it.</summary>
    public static string Reason(TaskFailure failure) => failure switch
    {
        TaskFailure.Dispatch => "dispatch",
        TaskFailure.Agent => "agent",
        TaskFailure.PullRequestClosed => "PR closed",
        TaskFailure.IssueClosed => "issue closed",
        TaskFailure.Unclear => "unclear",
        _ => "unrecorded",
    };

    private static string Median(TimeSpan? median) => median is null ? string.Empty : ", median " + Span(median);
}
