using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Orchestrator.Runs;
using Orchestrator.Workflow;

namespace Orchestrator.Operations;

/// <summary>
/// The dashboard's HTML, written out with every value encoded: no templates compiled at run time, so it works in a
/// trimmed or AOT-published artifact. Pages reload themselves (a short poll) every <see cref="DashboardOptions.RefreshSeconds"/>.
/// </summary>
internal static class DashboardPages
{
    private const string Style = """
        body{font:14px system-ui,sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
        header{background:#24292f;color:#fff;padding:10px 20px;display:flex;gap:18px;align-items:center}
        header a{color:#fff;text-decoration:none;font-weight:600}header .who{margin-left:auto;font-weight:400}
        main{padding:16px 20px}h1{font-size:20px;margin:4px 0 12px}h2{font-size:16px;margin:18px 0 8px}
        table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #d0d7de}
        th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #d0d7de;vertical-align:top}th{background:#f6f8fa}
        .note{background:#fff8c5;border:1px solid #d4a72c;padding:8px 12px;margin-bottom:12px}
        .flash{background:#dafbe1;border:1px solid #4ac26b;padding:8px 12px;margin-bottom:12px}
        .error{background:#ffebe9;border:1px solid #ff8182;padding:8px 12px;margin-bottom:12px}
        .stats{display:flex;gap:12px;margin-bottom:12px}.stat{background:#fff;border:1px solid #d0d7de;padding:8px 14px}
        .stat b{display:block;font-size:20px}form{display:inline}button{cursor:pointer}
        .state{font-weight:600}.failed,.dead_lettered,.checks_failing{color:#cf222e}.merged,.completed,.processed{color:#1a7f37}
        """;

    public static string Layout(DashboardAccess access, string title, string body, int refreshSeconds, string? flash = null, string? error = null)
    {
        var html = new StringBuilder(4096);
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(E(title)).Append(" · Orchestrator</title>");
        if (refreshSeconds > 0)
        {
            html.Append("<meta http-equiv=\"refresh\" content=\"").Append(refreshSeconds.ToString(CultureInfo.InvariantCulture)).Append("\">");
        }

        html.Append("<style>").Append(Style).Append("</style></head><body><header><span>Orchestrator</span>");
        foreach (var (path, name) in new[] { (string.Empty, "Runs"), ("/deliveries", "Deliveries"), ("/jobs", "Jobs"), ("/audit", "Audit"), ("/stats", "Stats") })
        {
            html.Append("<a href=\"").Append(DashboardEndpoints.Root).Append(path).Append("\">").Append(name).Append("</a>");
        }

        html.Append("<span class=\"who\">");
        if (access.Login is { } login)
        {
            html.Append("Signed in as <b>").Append(E(login)).Append("</b> ")
                .Append("<form method=\"post\" action=\"").Append(DashboardEndpoints.Root).Append("/signout\">").Append(access.Antiforgery)
                .Append("<button type=\"submit\">Sign out</button></form>");
        }
        else
        {
            html.Append("Local mode");
        }

        html.Append("</span></header><main>");
        if (access.Local)
        {
            html.Append("<p class=\"note\">Local mode: GitHub sign-in is not configured, so the dashboard answers only on loopback and is read-only. ")
                .Append("Set Orchestrator:Dashboard:ClientId and ClientSecret to sign in with GitHub and use the buttons.</p>");
        }

        if (flash is not null)
        {
            html.Append("<p class=\"flash\" role=\"status\">").Append(E(flash)).Append("</p>");
        }

        if (error is not null)
        {
            html.Append("<p class=\"error\" role=\"alert\">").Append(E(error)).Append("</p>");
        }

        html.Append("<h1>").Append(E(title)).Append("</h1>").Append(body).Append("</main></body></html>");
        return html.ToString();
    }

    /// <summary>A simple page (sign-in needed, refused) without the navigation.</summary>
    public static string Message(string title, string text, string? link = null, string? linkText = null)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(E(title)).Append(" · Orchestrator</title><style>").Append(Style)
            .Append("</style></head><body><header><span>Orchestrator</span></header><main><h1>").Append(E(title)).Append("</h1><p>").Append(E(text)).Append("</p>");
        if (link is not null)
        {
            html.Append("<p><a href=\"").Append(E(link)).Append("\">").Append(E(linkText ?? link)).Append("</a></p>");
        }

        return html.Append("</main></body></html>").ToString();
    }

    public static string Runs(QueueView queue, IReadOnlyList<RunSummaryView> runs)
    {
        var html = new StringBuilder();
        Stats(html, queue);
        Table(html, "runs", ["Run", "State", "Repository", "Merged", "Created", "Duration", "Waiting for"], runs.Select(r => new[]
        {
            Link($"{DashboardEndpoints.Root}/runs/{r.Id}", r.Id),
            State(r.OnHold ? r.State + " (hold)" : r.State),
            E(r.Repository),
            E($"{r.Merged}/{r.Tasks}"),
            Time(r.CreatedAt),
            E(Duration(r.DurationSeconds)),
            E(r.WaitingFor),
        }));
        return html.ToString();
    }

    public static string Run(RunDetailView run)
    {
        var r = run.Run;
        var html = new StringBuilder();
        html.Append("<p>").Append(State(r.State)).Append(" · ").Append(E(r.Repository)).Append(" · created ").Append(Time(r.CreatedAt))
            .Append(" by ").Append(E(r.RequestedBy ?? "-")).Append(" · approved by ").Append(E(r.ApprovedBy ?? "-")).Append(" · ").Append(E(Duration(r.DurationSeconds)))
            .Append("</p><p>Waiting for: <b>").Append(E(r.WaitingFor)).Append("</b></p><h2>Tasks</h2>");
        Table(html, "tasks", ["Issue", "Title", "State", "Pull request", "Checks", "Duration", "Waiting for"], run.Tasks.Select(t => new[]
        {
            t.IssueUrl is null ? E("#" + t.Issue.ToString(CultureInfo.InvariantCulture)) : Link(t.IssueUrl, "#" + t.Issue.ToString(CultureInfo.InvariantCulture)),
            E(t.Title ?? "-"),
            State(t.State),
            t.PullRequestUrl is null ? "-" : Link(t.PullRequestUrl, "#" + t.PullRequest?.ToString(CultureInfo.InvariantCulture)),
            E(t.Checks.Count == 0 ? "-" : string.Join(", ", t.Checks.Select(c => $"{c.Key}: {c.Value}"))),
            E(Duration(t.DurationSeconds)),
            E(t.WaitingFor + (t.LastError is null ? string.Empty : " · " + t.LastError)),
        }));
        if (run.Ship is { } ship)
        {
            html.Append("<h2>Deploy</h2><p>").Append(E(ship.Conclusion ?? "running")).Append(" · requested by ").Append(E(ship.RequestedBy)).Append(' ').Append(Time(ship.RequestedAt));
            if (ship.WorkflowRunUrl is not null)
            {
                html.Append(" · ").Append(Link(ship.WorkflowRunUrl, "workflow run"));
            }

            html.Append("</p>");
        }

        html.Append("<h2>Timeline</h2>");
        Table(html, "timeline", ["At", "Actor", "Action", "Outcome", "Detail"], run.Timeline.Select(e => new[] { Time(e.At), E(e.Actor), E(e.Action), State(e.Outcome), E(e.Detail ?? "-") }));
        return html.ToString();
    }

    /// <summary>The deliveries shown (the last day's, newest 100, filtered), with how often GitHub sent each again, summed up above them.</summary>
    public static string Deliveries(IReadOnlyList<DeliveryView> deliveries, DashboardAccess access)
    {
        var html = new StringBuilder();
        var repeated = deliveries.Count(d => d.Duplicates > 0);
        html.Append("<div class=\"stats\">")
            .Append("<div class=\"stat\" id=\"delivery-count\"><b>").Append(deliveries.Count.ToString(CultureInfo.InvariantCulture)).Append("</b>deliveries shown (last 24 h, newest 100)</div>")
            .Append("<div class=\"stat\" id=\"duplicate-count\"><b>").Append(deliveries.Sum(d => d.Duplicates).ToString(CultureInfo.InvariantCulture)).Append("</b>duplicates received (")
            .Append(E(repeated == 1 ? "1 delivery" : $"{repeated} deliveries")).Append(" sent again)</div>")
            .Append("</div>");
        Table(html, "deliveries", ["Delivery", "Event", "Received", "Duplicates", "Status", "Attempts", "Error", string.Empty], deliveries.Select(d => new[]
        {
            E(d.DeliveryId),
            E(d.Action is null ? d.Event : $"{d.Event}.{d.Action}"),
            Time(d.ReceivedAt),
            d.LastDuplicateAt is { } last && d.Duplicates > 0
                ? E(d.Duplicates.ToString(CultureInfo.InvariantCulture)) + " (last " + Time(last) + ")"
                : E(d.Duplicates.ToString(CultureInfo.InvariantCulture)),
            State(d.Status),
            E(d.Job?.Attempts.ToString(CultureInfo.InvariantCulture) ?? "-"),
            E(d.Job?.LastError ?? "-"),
            access.CanAct ? Button(access, $"{DashboardEndpoints.Root}/deliveries/{Uri.EscapeDataString(d.DeliveryId)}/replay", "Replay") : string.Empty,
        }));
        return html.ToString();
    }

    public static string Jobs(QueueView queue, IReadOnlyList<JobView> jobs, DashboardAccess access)
    {
        var html = new StringBuilder();
        Stats(html, queue);
        html.Append("<h2>Dead letters</h2>");
        Table(html, "dead-letters", ["Job", "Kind", "Attempts", "Reason", "Created", string.Empty], jobs.Where(j => j.State == "dead_lettered").Select(j => new[]
        {
            E(j.Id),
            E(j.Kind),
            E(j.Attempts.ToString(CultureInfo.InvariantCulture)),
            E(j.LastError ?? "-"),
            Time(j.CreatedAt),
            access.CanAct ? Button(access, $"{DashboardEndpoints.Root}/jobs/{Uri.EscapeDataString(j.Id)}/retry", "Retry") : string.Empty,
        }));
        html.Append("<h2>Queued and running</h2>");
        Table(html, "queued", ["Job", "State", "Kind", "Due", "Attempts", "Last error"], jobs.Where(j => j.State != "dead_lettered").Select(j => new[]
        {
            E(j.Id), State(j.State), E(j.Kind), Time(j.DueAt), E(j.Attempts.ToString(CultureInfo.InvariantCulture)), E(j.LastError ?? "-"),
        }));
        return html.ToString();
    }

    public static string Audit(IReadOnlyList<AuditView> entries)
    {
        var html = new StringBuilder();
        Table(html, "audit", ["At", "Actor", "Action", "Run", "Outcome", "Detail"], entries.Select(e => new[]
        {
            Time(e.At),
            E(e.ActorName is null ? e.Actor : $"{e.ActorName} ({e.Actor})"),
            E(e.Action),
            e.RunId is null ? "-" : Link($"{DashboardEndpoints.Root}/runs/{e.RunId}", e.RunId),
            State(e.Outcome),
            E(e.Detail ?? "-"),
        }));
        return html.ToString();
    }

    /// <summary>The scoreboard, one row per executor, with links to other windows (the figures as /stats defines them).</summary>
    public static string Stats(IReadOnlyList<ExecutorScore> scores, int days, string? repository, IssueSize? size)
    {
        var html = new StringBuilder("<p>");
        html.Append(E($"Tasks dispatched in the last {days} day{(days == 1 ? string.Empty : "s")}"))
            .Append(repository is null ? string.Empty : " of " + E(repository))
            .Append(size is null ? string.Empty : E($", issues of size {size}"))
            .Append(", by executor. Other windows:");
        foreach (var window in new[] { 7, 30, 90, 365 })
        {
            var query = $"?days={window}" + (repository is null ? string.Empty : "&repo=" + Uri.EscapeDataString(repository)) + (size is null ? string.Empty : $"&size={size}");
            html.Append(' ').Append(Link($"{DashboardEndpoints.Root}/stats{query}", $"{window} days"));
        }

        html.Append("</p>");
        Table(html, "scores", ["Executor", "Dispatched", "Pull requests", "Median to PR", "First head green", "Merged", "Median to merge", "Failed", "Shipped"], scores.Select(s => new[]
        {
            E(s.Executor),
            E(s.Dispatched.ToString(CultureInfo.InvariantCulture)),
            E($"{s.PullRequests} ({ScoreboardViews.Percent(s.PullRequestRate)})"),
            E(ScoreboardViews.Span(s.MedianTimeToPullRequest)),
            E(ScoreboardViews.FirstHead(s)),
            E($"{s.Merged} ({ScoreboardViews.Percent(s.MergeRate)})"),
            E(ScoreboardViews.Span(s.MedianTimeToMerge)),
            E(ScoreboardViews.Failures(s)),
            E(s.Shipped.ToString(CultureInfo.InvariantCulture)),
        }));
        return html.ToString();
    }

    private static void Stats(StringBuilder html, QueueView queue) =>
        html.Append("<div class=\"stats\">")
            .Append("<div class=\"stat\" id=\"queue-depth\"><b>").Append(queue.Pending.ToString(CultureInfo.InvariantCulture)).Append("</b>queued</div>")
            .Append("<div class=\"stat\" id=\"oldest-age\"><b>").Append(E(Duration(queue.OldestDueAgeSeconds))).Append("</b>oldest due job waiting</div>")
            .Append("<div class=\"stat\" id=\"leased\"><b>").Append(queue.Leased.ToString(CultureInfo.InvariantCulture)).Append("</b>running</div>")
            .Append("<div class=\"stat\" id=\"dead\"><b>").Append(queue.DeadLettered.ToString(CultureInfo.InvariantCulture)).Append("</b>dead letters</div>")
            .Append("</div>");

    private static void Table(StringBuilder html, string id, IReadOnlyList<string> headers, IEnumerable<string[]> rows)
    {
        html.Append("<table id=\"").Append(id).Append("\"><thead><tr>");
        foreach (var header in headers)
        {
            html.Append("<th>").Append(E(header)).Append("</th>");
        }

        html.Append("</tr></thead><tbody>");
        var any = false;
        foreach (var row in rows)
        {
            any = true;
            html.Append("<tr>");
            foreach (var cell in row)
            {
                html.Append("<td>").Append(cell).Append("</td>");
            }

            html.Append("</tr>");
        }

        if (!any)
        {
            html.Append("<tr><td colspan=\"").Append(headers.Count.ToString(CultureInfo.InvariantCulture)).Append("\">None.</td></tr>");
        }

        html.Append("</tbody></table>");
    }

    private static string Button(DashboardAccess access, string action, string label) =>
        $"<form method=\"post\" action=\"{E(action)}\">{access.Antiforgery}<button type=\"submit\">{E(label)}</button></form>";

    private static string Link(string href, string text) => $"<a href=\"{E(href)}\">{E(text)}</a>";

    private static string State(string state) => $"<span class=\"state {E(state)}\">{E(state.Replace('_', ' '))}</span>";

    private static string Time(DateTimeOffset at) =>
        $"<time datetime=\"{at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)}\">{at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}Z</time>";

    private static string Duration(double? seconds) => Names.Duration(seconds);

    private static string E(string text) => HtmlEncoder.Default.Encode(text);
}

/// <summary>Who is looking: a signed-in admin (buttons, with their antiforgery field), or local mode (read-only).</summary>
internal sealed record DashboardAccess(string? Login, bool Local, string Antiforgery)
{
    public bool CanAct => Login is not null;
}
