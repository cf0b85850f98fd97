using System.CommandLine;
using System.Globalization;
using Orchestrator.Operations;
using Orchestrator.Storage;

namespace Orchestrator.Cli;

/// <summary><c>jobs list [--state queued|leased|dead]</c>, <c>jobs show ID</c>, <c>jobs retry ID</c>.</summary>
internal static class JobsCli
{
    private static readonly Dictionary<string, JobState> States = new(StringComparer.Ordinal)
    {
        ["queued"] = JobState.Pending,
        ["leased"] = JobState.Leased,
        ["dead"] = JobState.DeadLettered,
    };

    public static Command Build(Func<WebApplication> host, TextWriter output)
    {
        var jobs = new Command("jobs", "List the job queue (queued, leased, dead letters), show a job, or put a dead letter back in the queue.");
        jobs.Add(List(host, output));
        jobs.Add(Show(host, output));
        jobs.Add(Retry(host, output));
        return jobs;
    }

    private static Command List(Func<WebApplication> host, TextWriter output)
    {
        var state = new Option<string?>("--state", "-s") { Description = "Only jobs in this state (default: all three).", HelpName = "S" };
        state.AcceptOnlyFromAmong([.. States.Keys]);
        var limit = OperatorCli.Limit();
        var json = OperatorCli.Json();
        var list = new Command("list", "List waiting jobs: queued (oldest due first), leased (running), dead letters (newest first, with their reason).") { state, limit, json };
        list.SetAction(host, async (parsed, services, cancellationToken) =>
        {
            var queries = services.GetRequiredService<OperatorQueries>();
            var chosen = parsed.GetValue(state) is { } name ? States[name] : (JobState?)null;
            var found = await queries.ListJobsAsync(chosen, parsed.GetValue(limit), cancellationToken).ConfigureAwait(false);
            if (parsed.GetValue(json))
            {
                await OperatorCli.WriteJsonAsync(output, found, OperatorJsonContext.Default.IReadOnlyListJobView).ConfigureAwait(false);
                return;
            }

            var queue = await queries.QueueAsync(cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync(string.Format(
                CultureInfo.InvariantCulture,
                "Queue: {0} queued (oldest due {1} ago), {2} leased, {3} dead.",
                queue.Pending,
                OperatorCli.Duration(queue.OldestDueAgeSeconds),
                queue.Leased,
                queue.DeadLettered)).ConfigureAwait(false);
            if (found.Count == 0)
            {
                await output.WriteLineAsync("No jobs.").ConfigureAwait(false);
                return;
            }

            TextTable.Write(
                output,
                ["ID", "STATE", "KIND", "DUE", "ATTEMPTS", "KEY", "ERROR"],
                [.. found.Select(j => (IReadOnlyList<string>)
                [
                    j.Id,
                    j.State,
                    j.Kind,
                    OperatorCli.Time(j.DueAt),
                    j.Attempts.ToString(CultureInfo.InvariantCulture),
                    OperatorCli.Cell(j.IdempotencyKey, 40),
                    OperatorCli.Cell(j.LastError),
                ])]);
        });
        return list;
    }

    private static Command Show(Func<WebApplication> host, TextWriter output)
    {
        var id = OperatorCli.Id("id", "The job's id.");
        var json = OperatorCli.Json();
        var show = new Command("show", "Show a job: kind, state, attempts, lease, last error and payload.") { id, json };
        show.SetAction(host, async (parsed, services, cancellationToken) =>
        {
            var jobId = parsed.GetValue(id)!;
            var job = await services.GetRequiredService<OperatorQueries>().GetJobAsync(jobId, cancellationToken).ConfigureAwait(false)
                ?? throw new OperatorException($"No job '{jobId}'.");
            if (parsed.GetValue(json))
            {
                await OperatorCli.WriteJsonAsync(output, job, OperatorJsonContext.Default.JobView).ConfigureAwait(false);
                return;
            }

            TextTable.Write(
                output,
                ["FIELD", "VALUE"],
                [
                    ["id", job.Id],
                    ["kind", job.Kind],
                    ["state", job.State],
                    ["idempotency key", job.IdempotencyKey],
                    ["created", OperatorCli.Time(job.CreatedAt)],
                    ["due", OperatorCli.Time(job.DueAt)],
                    ["attempts", job.Attempts.ToString(CultureInfo.InvariantCulture)],
                    ["lease", job.LeaseOwner is null ? "-" : $"{job.LeaseOwner} until {OperatorCli.Time(job.LeaseExpiresAt)}"],
                    ["last error", job.LastError ?? "-"],
                    ["payload", job.Payload ?? "-"],
                ]);
        });
        return show;
    }

    private static Command Retry(Func<WebApplication> host, TextWriter output)
    {
        var id = OperatorCli.Id("id", "The dead letter's job id (jobs list --state dead).");
        var json = OperatorCli.Json();
        var retry = new Command("retry", "Put a dead letter back in the queue, due now, with its attempts reset.") { id, json };
        retry.SetAction(host, async (parsed, services, cancellationToken) =>
        {
            var result = await services.GetRequiredService<OperatorActions>().RetryAsync(parsed.GetValue(id)!, OperatorCli.Actor, cancellationToken).ConfigureAwait(false);
            await DeliveriesCli.WriteAsync(output, result, parsed.GetValue(json)).ConfigureAwait(false);
        });
        return retry;
    }
}
