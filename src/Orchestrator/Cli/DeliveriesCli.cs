using System.CommandLine;
using System.Globalization;
using Orchestrator.Operations;

namespace Orchestrator.Cli;

/// <summary><c>deliveries list|show|replay</c>: GitHub deliveries in the inbox and what became of each.</summary>
internal static class DeliveriesCli
{
    public static Command Build(Func<WebApplication> host, TextWriter output)
    {
        var deliveries = new Command("deliveries", "List the GitHub webhook deliveries in the inbox, show one, or process one again.");
        deliveries.Add(List(host, output));
        deliveries.Add(Show(host, output));
        deliveries.Add(Replay(host, output));
        deliveries.Add(Recover(host, output));
        return deliveries;
    }

    private static Command List(Func<WebApplication> host, TextWriter output)
    {
        var eventName = new Option<string?>("--event", "-e") { Description = "Only deliveries of this event (issues, pull_request, check_suite, ...).", HelpName = "E" };
        var status = new Option<string?>("--status", "-s") { Description = "Only deliveries whose processing is in this status.", HelpName = "S" };
        status.AcceptOnlyFromAmong([.. OperatorQueries.DeliveryStatuses]);
        var duplicated = new Option<bool>("--duplicated") { Description = "Only deliveries received more than once (GitHub sent their id again after they were stored)." };
        var since = OperatorCli.Since("24h");
        var limit = OperatorCli.Limit();
        var json = OperatorCli.Json();
        var list = new Command("list", "List deliveries, newest first, with how often each was received again and their processing job's status (queued, processing, processed, retrying, failed).")
        {
            eventName, status, duplicated, since, limit, json,
        };
        list.SetAction(host, async (parsed, services, cancellationToken) =>
        {
            var time = services.GetRequiredService<TimeProvider>();
            var found = await services.GetRequiredService<OperatorQueries>().ListDeliveriesAsync(
                parsed.GetValue(eventName),
                parsed.GetValue(status),
                parsed.GetValue(duplicated),
                parsed.GetValue(since)!.Value.Resolve(time),
                parsed.GetValue(limit),
                cancellationToken).ConfigureAwait(false);
            if (parsed.GetValue(json))
            {
                await OperatorCli.WriteJsonAsync(output, found, OperatorJsonContext.Default.IReadOnlyListDeliveryView).ConfigureAwait(false);
                return;
            }

            if (found.Count == 0)
            {
                await output.WriteLineAsync("No deliveries.").ConfigureAwait(false);
                return;
            }

            TextTable.Write(
                output,
                ["DELIVERY", "EVENT", "RECEIVED", "DUPLICATES", "STATUS", "ATTEMPTS", "ERROR"],
                [.. found.Select(d => (IReadOnlyList<string>)
                [
                    d.DeliveryId,
                    d.Action is null ? d.Event : $"{d.Event}.{d.Action}",
                    OperatorCli.Time(d.ReceivedAt),
                    d.Duplicates.ToString(CultureInfo.InvariantCulture),
                    d.Status,
                    d.Job?.Attempts.ToString(CultureInfo.InvariantCulture) ?? "-",
                    OperatorCli.Cell(d.Job?.LastError),
                ])]);
        });
        return list;
    }

    private static Command Show(Func<WebApplication> host, TextWriter output)
    {
        var id = OperatorCli.Id("id", "The delivery's id (GitHub's X-GitHub-Delivery).");
        var payload = new Option<bool>("--payload") { Description = "Print the payload as it was received." };
        var json = OperatorCli.Json();
        var show = new Command("show", "Show a delivery: its headers, how often it was received again, its processing job and outcome; the payload with --payload.") { id, payload, json };
        show.SetAction(host, async (parsed, services, cancellationToken) =>
        {
            var deliveryId = parsed.GetValue(id)!;
            var detail = await services.GetRequiredService<OperatorQueries>().GetDeliveryAsync(deliveryId, parsed.GetValue(payload), cancellationToken).ConfigureAwait(false)
                ?? throw new OperatorException($"No delivery '{deliveryId}' in the inbox (never received, or older than the inbox retention).");
            if (parsed.GetValue(json))
            {
                await OperatorCli.WriteJsonAsync(output, detail, OperatorJsonContext.Default.DeliveryDetailView).ConfigureAwait(false);
                return;
            }

            var d = detail.Delivery;
            await output.WriteLineAsync($"X-GitHub-Delivery: {d.DeliveryId}").ConfigureAwait(false);
            await output.WriteLineAsync($"X-GitHub-Event:    {d.Event}{(d.Action is null ? string.Empty : " (action " + d.Action + ")")}").ConfigureAwait(false);
            await output.WriteLineAsync($"X-GitHub-Hook-ID:  {d.HookId?.ToString(CultureInfo.InvariantCulture) ?? "-"}").ConfigureAwait(false);
            await output.WriteLineAsync($"Received:          {OperatorCli.Time(d.ReceivedAt)} ({d.PayloadBytes} bytes)").ConfigureAwait(false);
            await output.WriteLineAsync(d.LastDuplicateAt is { } last && d.Duplicates > 0
                ? $"Duplicates:        {d.Duplicates} (received again; last {OperatorCli.Time(last)})"
                : "Duplicates:        0").ConfigureAwait(false);
            await output.WriteLineAsync($"Status:            {d.Status}").ConfigureAwait(false);
            if (d.Job is { } job)
            {
                await output.WriteLineAsync($"Job:               {job.Id} ({job.State}, {job.Attempts} attempt(s), due {OperatorCli.Time(job.DueAt)})").ConfigureAwait(false);
                if (job.LastError is not null)
                {
                    await output.WriteLineAsync($"Last error:        {job.LastError}").ConfigureAwait(false);
                }
            }

            if (detail.Payload is not null)
            {
                await output.WriteLineAsync().ConfigureAwait(false);
                await output.WriteLineAsync(detail.Payload).ConfigureAwait(false);
            }
        });
        return show;
    }

    private static Command Replay(Func<WebApplication> host, TextWriter output)
    {
        var id = OperatorCli.Id("id", "The delivery's id.");
        var json = OperatorCli.Json();
        var replay = new Command("replay", "Process a stored delivery again as a new job (its effects stay deduplicated by the effect ledger).") { id, json };
        replay.SetAction(host, async (parsed, services, cancellationToken) =>
        {
            var result = await services.GetRequiredService<OperatorActions>().ReplayAsync(parsed.GetValue(id)!, OperatorCli.Actor, cancellationToken).ConfigureAwait(false);
            await WriteAsync(output, result, parsed.GetValue(json)).ConfigureAwait(false);
        });
        return replay;
    }

    private static Command Recover(Func<WebApplication> host, TextWriter output)
    {
        var since = OperatorCli.Since("24h");
        var dryRun = new Option<bool>("--dry-run") { Description = "Only say what would be redelivered." };
        var json = OperatorCli.Json();
        var recover = new Command("recover", "Read the webhooks' delivery logs on GitHub and ask GitHub to redeliver what failed and is not in the inbox.")
        {
            since, dryRun, json,
        };
        recover.SetAction(host, async (parsed, services, cancellationToken) =>
        {
            var time = services.GetRequiredService<TimeProvider>();
            var report = await services.GetRequiredService<DeliveryRecovery>().RecoverAsync(parsed.GetValue(since)!.Value.Resolve(time), parsed.GetValue(dryRun), cancellationToken).ConfigureAwait(false);
            if (parsed.GetValue(json))
            {
                await OperatorCli.WriteJsonAsync(output, report, OperatorJsonContext.Default.RecoveryReport).ConfigureAwait(false);
                return;
            }

            await output.WriteLineAsync(string.Format(
                CultureInfo.InvariantCulture,
                "Read {0} hook(s) since {1}: {2} delivery(ies), {3} acknowledged, {4} failed on GitHub's side.",
                report.Hooks.Count,
                OperatorCli.Time(report.Since),
                report.Seen,
                report.Succeeded,
                report.Failed.Count)).ConfigureAwait(false);
            if (report.Failed.Count > 0)
            {
                TextTable.Write(
                    output,
                    ["DELIVERY", "EVENT", "HOOK", "DELIVERED", "GITHUB SAYS", "DONE"],
                    [.. report.Failed.Select(f => (IReadOnlyList<string>)
                    [
                        f.Guid,
                        f.Action is null ? f.Event : $"{f.Event}.{f.Action}",
                        f.Hook,
                        OperatorCli.Time(f.DeliveredAt),
                        f.GitHubStatus,
                        f.Outcome,
                    ])]);
            }

            await output.WriteLineAsync(report.DryRun
                ? $"Dry run: {report.Failed.Count(f => f.Outcome == DeliveryRecovery.WouldRedeliver)} would be redelivered."
                : $"Asked GitHub to redeliver {report.Redelivered}; each is deduplicated by the inbox when it arrives.").ConfigureAwait(false);
            foreach (var problem in report.Errors)
            {
                await output.WriteLineAsync("warning: " + problem).ConfigureAwait(false);
            }

            if (report.Hooks.Count == 0)
            {
                throw new OperatorException("No webhook of this service was found: check Orchestrator:Repositories, the token's Webhooks permission, or Orchestrator:Recovery:HookUrl.");
            }
        });
        return recover;
    }

    internal static Task WriteAsync(TextWriter output, ActionResult result, bool json) =>
        json ? OperatorCli.WriteJsonAsync(output, result, OperatorJsonContext.Default.ActionResult) : output.WriteLineAsync(result.Message);
}
