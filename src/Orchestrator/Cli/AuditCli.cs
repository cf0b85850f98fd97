using System.CommandLine;
using Orchestrator.Operations;

namespace Orchestrator.Cli;

/// <summary><c>audit [--since T] [--actor A] [--run R]</c>: who did what, including refusals.</summary>
internal static class AuditCli
{
    public static Command Build(Func<WebApplication> host, TextWriter output)
    {
        var since = OperatorCli.Since("24h");
        var actor = new Option<string?>("--actor", "-a") { Description = "Only entries whose actor id or name contains this text (discord:123, github:octocat, cli:, system).", HelpName = "A" };
        var run = new Option<string?>("--run", "-r") { Description = "Only entries about this run (any age within the retention).", HelpName = "R" };
        var limit = OperatorCli.Limit(100);
        var json = OperatorCli.Json();
        var audit = new Command("audit", "List the audit log, newest first: approvals, refusals, ships, replays, retries.") { since, actor, run, limit, json };
        audit.SetAction(host, async (parsed, services, cancellationToken) =>
        {
            var time = services.GetRequiredService<TimeProvider>();
            var runId = parsed.GetValue(run);

            // With --run the whole history of the run counts unless --since was given.
            var from = runId is not null && parsed.GetResult(since) is null or { Implicit: true }
                ? DateTimeOffset.MinValue
                : parsed.GetValue(since)!.Value.Resolve(time);
            var entries = await services.GetRequiredService<OperatorQueries>().ListAuditAsync(from, parsed.GetValue(actor), runId?.ToUpperInvariant(), parsed.GetValue(limit), cancellationToken).ConfigureAwait(false);
            if (parsed.GetValue(json))
            {
                await OperatorCli.WriteJsonAsync(output, entries, OperatorJsonContext.Default.IReadOnlyListAuditView).ConfigureAwait(false);
                return;
            }

            if (entries.Count == 0)
            {
                await output.WriteLineAsync("No audit entries.").ConfigureAwait(false);
                return;
            }

            TextTable.Write(
                output,
                ["AT", "ACTOR", "ACTION", "RUN", "OUTCOME", "DETAIL"],
                [.. entries.Select(e => (IReadOnlyList<string>)
                [
                    OperatorCli.Time(e.At),
                    e.ActorName is null ? e.Actor : $"{e.ActorName} ({e.Actor})",
                    e.Action,
                    e.RunId ?? "-",
                    e.Outcome,
                    OperatorCli.Cell(e.Detail, 80),
                ])]);
        });
        return audit;
    }
}
