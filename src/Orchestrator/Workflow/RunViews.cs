using System.Globalization;
using System.Text;
using Orchestrator.Discord;
using Orchestrator.Runs;

namespace Orchestrator.Workflow;

/// <summary>How runs look in Discord. Every piece of GitHub text is escaped: titles and labels are untrusted.</summary>
public static class RunViews
{
    private const int PlanColor = 0x5865F2;
    private const int DoneColor = 0x57F287;
    private const int FailColor = 0xED4245;
    private const int DescriptionLimit = 4000;

    public static string ThreadName(DateOnly day) => $"Daily Plan — {day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";

    /// <summary>The "Daily Plan Proposal": one page per message, each within Discord's embed limits.</summary>
    public static IReadOnlyList<MessagePayload> PlanPages(Run run)
    {
        var lines = AdviceHeader(run.Advice);
        lines.AddRange(Ordered(run).Select(i => PlanLine(i) + RouteText(run.Task(i.Number)) + AdviceLines(run.Advice?.For(i.Number))));
        if (run.Skipped is { Count: > 0 } skipped)
        {
            // One small line per issue left out, with its reason: the plan says what it did not take, and why.
            lines.Add($"**Left out ({skipped.Count})**");
            lines.AddRange(skipped.Select(i => $"-# [#{i.Number}](<{i.Url}>) {Markdown.Escape(Markdown.Truncate(i.Title, 80))} — {Markdown.Escape(i.Reason)}"));
        }

        var pages = new List<StringBuilder> { new() };
        foreach (var line in lines)
        {
            if (pages[^1].Length + line.Length + 1 > DescriptionLimit)
            {
                pages.Add(new StringBuilder());
            }

            pages[^1].Append(line).Append('\n');
        }

        return
        [
            .. pages.Select((page, i) => new MessagePayload
            {
                Embeds =
                [
                    new Embed
                    {
                        Title = pages.Count == 1 ? "Daily Plan Proposal" : $"Daily Plan Proposal ({i + 1}/{pages.Count})",
                        Description = page.ToString().TrimEnd(),
                        Color = PlanColor,
                        Footer = new EmbedFooter($"{run.Repository} · run {run.Id} · {run.Plan.Count} issue(s)"),
                    },
                ],
            }),
        ];
    }

    /// <summary>
    /// The answer to /plan: Approve and Reject, and, when the run routes its issues to several executors, a select menu
    /// to change an issue's agent first (it lists the issues; choosing one offers the executors).
    /// </summary>
    public static MessagePayload PlanReady(Run run, bool withButtons) => new()
    {
        Content = $"Plan **{run.Id}** for `{run.Repository}`: {run.Plan.Count} issue(s). Approve to dispatch the work.",
        Components = withButtons
            ?
            [
                new ActionRow(
                [
                    new Button(ButtonStyle.Success, "Approve", CustomId: $"approve:{run.Id}"),
                    new Button(ButtonStyle.Danger, "Reject", CustomId: $"reject:{run.Id}"),
                ]),
                .. run.Tasks.Any(t => t.RoutedBy is not null) ? [RouteMenu(run)] : Array.Empty<ActionRow>(),
            ]
            : [],
    };

    /// <summary>The plan's "change an issue's agent" menu: one option per issue (Discord shows at most 25; /route takes any).</summary>
    private static ActionRow RouteMenu(Run run) => new(
    [
        new StringSelect(
            $"route:{run.Id}",
            [
                .. Ordered(run).Take(DiscordLimits.SelectOptions).Select(i => new SelectOption(
                    Markdown.Truncate($"#{i.Number.ToString(CultureInfo.InvariantCulture)} {i.Title}", DiscordLimits.SelectText),
                    i.Number.ToString(CultureInfo.InvariantCulture))),
            ],
            "Change an issue's agent…"),
    ]);

    /// <summary>The executors to pick from for one issue, the current one marked.</summary>
    public static MessagePayload RouteChoices(Run run, int issue, IReadOnlyList<string> executors, string current) => new()
    {
        Content = $"Which agent should take #{issue.ToString(CultureInfo.InvariantCulture)}? It goes to **{Markdown.Escape(current)}** now.",
        Flags = MessageFlags.Ephemeral,
        Components =
        [
            new ActionRow(
            [
                new StringSelect(
                    $"route:{run.Id}:{issue.ToString(CultureInfo.InvariantCulture)}",
                    [.. executors.Take(DiscordLimits.SelectOptions).Select(e => new SelectOption(e, e, Default: string.Equals(e, current, StringComparison.OrdinalIgnoreCase) ? true : null))],
                    "Choose an agent…"),
            ]),
        ],
    };

    /// <summary>The one status message per run, edited in place: a checklist of tasks, each with what it waits for.</summary>
    public static MessagePayload Status(Run run, DateTimeOffset? now = null)
    {
        var text = new StringBuilder();
        text.Append("**State:** ").Append(StateName(run.State));
        if (run.OnHold)
        {
            text.Append(" (on hold)");
        }

        text.Append('\n');
        var issues = run.Plan.ToDictionary(i => i.Number);
        foreach (var task in run.Tasks)
        {
            text.Append(TaskIcon(task)).Append(" #").Append(task.IssueNumber.ToString(CultureInfo.InvariantCulture));
            if (issues.TryGetValue(task.IssueNumber, out var issue))
            {
                text.Append(' ').Append(Markdown.Escape(Markdown.Truncate(issue.Title, 80)));
            }

            text.Append(" — ").Append(TaskStateName(task.State));
            if (task.PullRequestUrl is not null)
            {
                text.Append(" · [PR #").Append(task.PullRequestNumber?.ToString(CultureInfo.InvariantCulture)).Append("](<").Append(task.PullRequestUrl).Append(">)");
            }

            if (task.Checks is { Count: > 0 } checks)
            {
                var failing = checks.Count(c => Tracking.IsFailing(c.Value));
                var pending = checks.Count(c => c.Value == Tracking.Pending);
                text.Append(" · checks ").Append(checks.Count - failing - pending).Append('/').Append(checks.Count).Append(" green");
            }

            if (task.LastError is not null)
            {
                text.Append(" · ").Append(Markdown.Escape(Markdown.Truncate(task.LastError, 200)));
            }
            else if (run.State is RunState.InProgress && WaitsFor(task, now) is { } waits)
            {
                text.Append(" · ⏳ ").Append(waits);
            }

            text.Append('\n');
        }

        if (run.Ship is { } ship)
        {
            text.Append("**Deploy:** ").Append(ship.Conclusion ?? "running");
            if (ship.WorkflowRunUrl is not null)
            {
                text.Append(" · [workflow run](<").Append(ship.WorkflowRunUrl).Append(">)");
            }

            text.Append('\n');
        }

        return new MessagePayload
        {
            Embeds =
            [
                new Embed
                {
                    Title = $"Run {run.Id} — {run.Repository}",
                    Description = Markdown.Truncate(text.ToString().TrimEnd(), DescriptionLimit),
                    Color = run.State switch
                    {
                        RunState.Completed => DoneColor,
                        RunState.Failed or RunState.Rejected or RunState.Cancelled => FailColor,
                        _ => PlanColor,
                    },
                    Footer = new EmbedFooter($"updated {run.UpdatedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC · version {run.Version}"),
                },
            ],
        };
    }

    /// <summary>A short line for /status listing several runs.</summary>
    public static string Summary(Run run)
    {
        var merged = run.Tasks.Count(t => t.State == TaskState.Merged);
        var failing = run.Tasks.Count(t => t.State is TaskState.Failed or TaskState.ChecksFailing);
        return $"**{run.Id}** `{run.Repository}` — {StateName(run.State)}{(run.OnHold ? " (on hold)" : string.Empty)} · {merged}/{run.Tasks.Count} merged"
            + (failing > 0 ? $" · {failing} need attention" : string.Empty);
    }

    /// <summary>The summary of a shipped (or failed) run, with one line per agent (<paramref name="executorOf"/> names a task's).</summary>
    public static MessagePayload ShipSummary(Run run, TimeProvider time, Func<Run, RunTask, string> executorOf)
    {
        var ship = run.Ship!;
        var duration = (ship.CompletedAt ?? time.GetUtcNow()) - run.CreatedAt;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"**{run.Tasks.Count(t => t.State == TaskState.Merged)}** of {run.Tasks.Count} task(s) merged and shipped.\n");
        text.Append(CultureInfo.InvariantCulture, $"Run took {Duration(duration)}; deploy took {Duration((ship.CompletedAt ?? time.GetUtcNow()) - ship.RequestedAt)}.\n");
        foreach (var agent in Scoreboard.Compute([run], executorOf, DateTimeOffset.MinValue, DateTimeOffset.MaxValue))
        {
            text.Append(ScoreboardViews.AgentLine(agent)).Append('\n');
        }

        foreach (var task in run.Tasks.Where(t => t.PullRequestUrl is not null))
        {
            text.Append(CultureInfo.InvariantCulture, $"• #{task.IssueNumber} → [PR #{task.PullRequestNumber}](<{task.PullRequestUrl}>)\n");
        }

        text.Append("Deploy: ").Append(ship.Conclusion ?? "unknown");
        if (ship.WorkflowRunUrl is not null)
        {
            text.Append(" · [workflow run](<").Append(ship.WorkflowRunUrl).Append(">)");
        }

        if (ship.HealthStatus is { } status)
        {
            text.Append(CultureInfo.InvariantCulture, $"\nHealth check: HTTP {status} in {ship.HealthLatencyMs:0} ms");
        }

        if (ship.ForcedReason is not null)
        {
            text.Append("\nForced by ").Append(Markdown.Escape(ship.RequestedBy)).Append(": ").Append(Markdown.Escape(ship.ForcedReason));
        }

        return new MessagePayload
        {
            Embeds =
            [
                new Embed
                {
                    Title = run.State == RunState.Completed ? $"Shipped — run {run.Id}" : $"Ship failed — run {run.Id}",
                    Description = text.ToString(),
                    Color = run.State == RunState.Completed ? DoneColor : FailColor,
                },
            ],
        };
    }

    public static string StateName(RunState state) => state switch
    {
        RunState.InProgress => "in progress",
        _ => state.ToString().ToLowerInvariant(),
    };

    /// <summary>
    /// What a task waits for, in words: "why isn't this moving?". Null when nothing is awaited (merged, failed with
    /// its reason shown instead).
    /// </summary>
    public static string? WaitsFor(RunTask task, DateTimeOffset? now)
    {
        var pending = (task.RequiredChecks is { Count: > 0 } ? Tracking.Deciding(task) : task.Checks ?? new Dictionary<string, string>())
            .Where(c => Tracking.Classify(c.Value) == CheckOutcome.Pending).Select(c => Tracking.CheckName(c.Key)).ToList();
        var missing = task.RequiredChecks?.Where(r => !(task.Checks ?? new Dictionary<string, string>()).Keys.Any(k => Tracking.CheckName(k) == r)).ToList() ?? [];
        return task.State switch
        {
            TaskState.Queued => "waits to be dispatched",
            TaskState.Dispatched when now is { } at && task.DispatchedAt is { } since =>
                $"no pull request after {Hours(at - since)}" + (task.AgentNote is { } note ? $" · agent: {Markdown.Escape(Markdown.Truncate(note, 120))}" : string.Empty),
            TaskState.Dispatched => "no pull request yet",
            TaskState.AgentWorking => "agent still working (draft pull request)",
            TaskState.NeedsApproval => "CI approval: its workflow runs wait in action_required (Approve CI)",
            TaskState.ChecksFailing => "failing check " + string.Join(", ", Tracking.Deciding(task).Where(c => Tracking.IsFailing(c.Value)).Select(c => $"`{Markdown.Escape(Tracking.CheckName(c.Key))}`")),
            TaskState.PrOpen when pending.Count + missing.Count > 0 => "checks " + string.Join(", ", pending.Concat(missing).Distinct().Select(n => $"`{Markdown.Escape(n)}`")),
            TaskState.PrOpen => "checks to report",
            TaskState.ChecksPassing => "review and merge",
            TaskState.Merged when !Tracking.IsShippable(task) => "checks of the merged head",
            _ => null,
        };
    }

    /// <summary>The notice for a task whose head's workflow runs wait for approval.</summary>
    public static string NeedsApprovalNotice(RunTask task, string check) =>
        $"⏸️ CI of [PR #{task.PullRequestNumber}](<{task.PullRequestUrl}>) (#{task.IssueNumber}) waits for approval: `{Markdown.Escape(Tracking.CheckName(check))}` is action_required. Approve it with the button, or `/approve-ci issue:{task.IssueNumber}`.";

    /// <summary>A notice with the Approve CI button of one task ("approve-ci:RUN:ISSUE").</summary>
    public static MessagePayload WithApproveCiButton(string notice, Run run, int issue) => new()
    {
        Content = notice,
        Components =
        [
            new ActionRow([new Button(ButtonStyle.Primary, "Approve CI", CustomId: $"approve-ci:{run.Id}:{issue.ToString(CultureInfo.InvariantCulture)}")]),
        ],
    };

    /// <summary>A held task's notice with the Ask on GitHub button ("ask:RUN:ISSUE").</summary>
    public static MessagePayload WithAskButton(string notice, Run run, int issue) => new()
    {
        Content = notice,
        Components =
        [
            new ActionRow([new Button(ButtonStyle.Primary, "Ask on GitHub", CustomId: $"ask:{run.Id}:{issue.ToString(CultureInfo.InvariantCulture)}")]),
        ],
    };

    /// <summary>Why a task was held back at approval: the planning model's question, escaped (it is untrusted).</summary>
    public static string UnclearNotice(int issue, string question) =>
        $"❓ #{issue.ToString(CultureInfo.InvariantCulture)} was not dispatched: the planning model asks “{Markdown.Escape(question)}”. Ask on GitHub with the button, then `/retry issue:{issue.ToString(CultureInfo.InvariantCulture)}` once it is clear.";

    public static string TaskStateName(TaskState state) => state switch
    {
        TaskState.AgentWorking => "agent working",
        TaskState.NeedsApproval => "needs approval",
        TaskState.PrOpen => "PR open",
        TaskState.ChecksPassing => "checks passing",
        TaskState.ChecksFailing => "checks failing",
        _ => state.ToString().ToLowerInvariant(),
    };

    /// <summary>The plan's issues in the model's suggested order when it gave one, else in the plan's own.</summary>
    public static IEnumerable<PlannedIssue> Ordered(Run run) =>
        run.Advice is { State: AdviceState.Enriched, Order: { Count: > 0 } order }
            ? run.Plan.OrderBy(i => order.ToList().IndexOf(i.Number) is var at && at < 0 ? int.MaxValue : at)
            : run.Plan;

    /// <summary>The planning model's state in the proposal: asked, its two-line summary, or why the plan stays deterministic. Model text is untrusted.</summary>
    private static List<string> AdviceHeader(PlanAdvice? advice) => advice switch
    {
        null => [],
        { State: AdviceState.Pending } => ["-# 🧠 Asking the planning model; this proposal will be updated."],
        { State: AdviceState.Fallback, Note: var note } => [$"-# Deterministic plan: {Markdown.Escape(note ?? "the planning model was not used")}."],
        { Summary: var summary } => [.. (summary ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "> " + Markdown.Escape(l)), "-# 🧠 Sizes, summaries and order suggested by the planning model; people decide."],
    };

    private static string AdviceLines(IssueAdvice? advice)
    {
        if (advice is null)
        {
            return string.Empty;
        }

        var text = new StringBuilder();
        text.Append(" · **").Append(advice.Size).Append("**");
        if (advice.DependsOn.Count > 0)
        {
            text.Append(" · after ").AppendJoin(", ", advice.DependsOn.Select(d => "#" + d.ToString(CultureInfo.InvariantCulture)));
        }

        text.Append("\n-# ").Append(Markdown.Escape(advice.Summary));
        if (!advice.Ready)
        {
            text.Append("\n-# ❓ Needs clarification: ").Append(Markdown.Escape(advice.Question ?? string.Empty));
        }

        return text.ToString();
    }

    /// <summary>" → agent (why)" when the run routes its issues; executor names come from the settings, reasons may hold label text.</summary>
    private static string RouteText(RunTask? task) =>
        task is { Executor: { } executor, RoutedBy: { } reason } ? $" → **{Markdown.Escape(executor)}** ({Markdown.Escape(reason)})" : string.Empty;

    private static string PlanLine(PlannedIssue issue)
    {
        var labels = issue.Labels.Count == 0 ? string.Empty : " · " + string.Join(", ", issue.Labels.Select(l => "`" + l.Replace("`", "'", StringComparison.Ordinal) + "`"));
        return $"**[#{issue.Number}](<{issue.Url}>)** {Markdown.Escape(Markdown.Truncate(issue.Title, 150))}{labels}";
    }

    private static string TaskIcon(RunTask task) => task.State switch
    {
        TaskState.Merged => "✅",
        TaskState.ChecksPassing => "🟢",
        TaskState.ChecksFailing or TaskState.Failed => "❌",
        TaskState.PrOpen => "🔄",
        TaskState.AgentWorking => "🤖",
        TaskState.NeedsApproval => "⏸️",
        TaskState.Dispatched => "📤",
        _ => "⬜",
    };

    private static string Hours(TimeSpan span) => span.TotalHours >= 1 ? $"{(int)span.TotalHours}h" : $"{(int)span.TotalMinutes}m";

    private static string Duration(TimeSpan span) =>
        span.TotalHours >= 1 ? $"{(int)span.TotalHours}h {span.Minutes}m" : span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes}m {span.Seconds}s" : $"{span.TotalSeconds:0}s";
}
