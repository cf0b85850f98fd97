using System.CommandLine;
using System.Globalization;
using Orchestrator.Operations;

namespace Orchestrator.Cli;

/// <summary><c>runs list [--state S] [--repo R] [--since T]</c>, <c>runs show ID</c>.</summary>
internal static class RunsCli
{
    public static Command Build(Func<WebApplication> host, TextWriter output)
    {
        var runs = new Command("runs", "List the runs of the daily loop, or show one with its tasks, pull requests, checks and timeline.");
        runs.Add(List(host, output));
        runs.Add(Show(host, output));
        return runs;
    }

    private static Command List(Func<WebApplication> host, TextWriter output)
    {
        var state = new Option<string?>("--state", "-s") { Description = "Only runs in this state.", HelpName = "S" };
        state.AcceptOnlyFromAmong([.. Names.RunStates]);
        var repo = new Option<string?>("--repo", "-r") { Description = "Only runs of this repository (owner/name).", HelpName = "R" };
        var since = OperatorCli.Since(defaultValue: null);
        var limit = OperatorCli.Limit();
        var json = OperatorCli.Json();
        var list = new Command("list", "List runs, newest first: state, repository, tasks merged, age, what each waits for.") { state, repo, since, limit, json };
        list.SetAction(host, async (parsed, services, cancellationToken) =>
        {
            var time = services.GetRequiredService<TimeProvider>();
            var found = await services.GetRequiredService<OperatorQueries>().ListRunsAsync(
                Names.ParseRunState(parsed.GetValue(state)),
                parsed.GetValue(repo),
                parsed.GetValue(since)?.Resolve(time),
                parsed.GetValue(limit),
                cancellationToken).ConfigureAwait(false);
            if (parsed.GetValue(json))
            {
                await OperatorCli.WriteJsonAsync(output, found, OperatorJsonContext.Default.IReadOnlyListRunSummaryView).ConfigureAwait(false);
                return;
            }

            if (found.Count == 0)
            {
                await output.WriteLineAsync("No runs.").ConfigureAwait(false);
                return;
            }

            TextTable.Write(
                output,
                ["ID", "STATE", "REPOSITORY", "MERGED", "CREATED", "DURATION", "WAITING FOR"],
                [.. found.Select(r => (IReadOnlyList<string>)
                [
                    r.Id,
                    r.OnHold ? r.State + " (hold)" : r.State,
                    r.Repository,
                    $"{r.Merged}/{r.Tasks}",
                    OperatorCli.Time(r.CreatedAt),
                    OperatorCli.Duration(r.DurationSeconds),
                    r.WaitingFor,
                ])]);
        });
        return list;
    }

    private static Command Show(Func<WebApplication> host, TextWriter output)
    {
        var id = OperatorCli.Id("id", "The run's id (as runs list prints it).");
        var json = OperatorCli.Json();
        var show = new Command("show", "Show a run: its tasks (state, pull request, checks, what each waits for), the deploy and the timeline.") { id, json };
        show.SetAction(host, async (parsed, services, cancellationToken) =>
        {
            var runId = parsed.GetValue(id)!;
            var run = await services.GetRequiredService<OperatorQueries>().GetRunAsync(runId, cancellationToken).ConfigureAwait(false)
                ?? throw new OperatorException($"No run '{runId}'.");
            if (parsed.GetValue(json))
            {
                await OperatorCli.WriteJsonAsync(output, run, OperatorJsonContext.Default.RunDetailView).ConfigureAwait(false);
                return;
            }

            var r = run.Run;
            await output.WriteLineAsync($"Run {r.Id} · {r.Repository} · {r.State}{(r.OnHold ? " (on hold)" : string.Empty)}").ConfigureAwait(false);
            await output.WriteLineAsync($"Created {OperatorCli.Time(r.CreatedAt)} by {r.RequestedBy ?? "-"}, approved by {r.ApprovedBy ?? "-"}; updated {OperatorCli.Time(r.UpdatedAt)}; {OperatorCli.Duration(r.DurationSeconds)}").ConfigureAwait(false);
            if (r.Reason is not null)
            {
                await output.WriteLineAsync("Reason: " + r.Reason).ConfigureAwait(false);
            }

            await output.WriteLineAsync("Waiting for: " + r.WaitingFor).ConfigureAwait(false);
            await output.WriteLineAsync().ConfigureAwait(false);
            TextTable.Write(
                output,
                ["ISSUE", "STATE", "PR", "CHECKS", "DURATION", "WAITING FOR", "TITLE"],
                [.. run.Tasks.Select(t => (IReadOnlyList<string>)
                [
                    "#" + t.Issue.ToString(CultureInfo.InvariantCulture),
                    t.State,
                    t.PullRequestUrl ?? "-",
                    t.Checks.Count == 0 ? "-" : string.Join(", ", t.Checks.Select(c => $"{c.Key}={c.Value}")),
                    OperatorCli.Duration(t.DurationSeconds),
                    OperatorCli.Cell(t.WaitingFor),
                    OperatorCli.Cell(t.Title),
                ])]);
            if (run.Ship is { } ship)
            {
                await output.WriteLineAsync().ConfigureAwait(false);
                await output.WriteLineAsync($"Deploy {ship.CorrelationId}: {ship.Conclusion ?? "running"}, requested by {ship.RequestedBy} at {OperatorCli.Time(ship.RequestedAt)}{(ship.WorkflowRunUrl is null ? string.Empty : " · " + ship.WorkflowRunUrl)}").ConfigureAwait(false);
            }

            await output.WriteLineAsync().ConfigureAwait(false);
            await output.WriteLineAsync("Timeline:").ConfigureAwait(false);
            TextTable.Write(
                output,
                ["AT", "ACTOR", "ACTION", "OUTCOME", "DETAIL"],
                [.. run.Timeline.Select(e => (IReadOnlyList<string>)[OperatorCli.Time(e.At), e.Actor, e.Action, e.Outcome, OperatorCli.Cell(e.Detail, 80)])]);
        });
        return show;
    }
}
