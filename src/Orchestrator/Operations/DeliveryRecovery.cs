using Microsoft.Extensions.Options;
using Orchestrator.Configuration;
using Orchestrator.GitHub;
using Orchestrator.Storage;
using Orchestrator.Telemetry;
using Orchestrator.Workflow;

namespace Orchestrator.Operations;

/// <summary>One delivery the recovery looked at and what it did about it.</summary>
/// <param name="Outcome">redelivered, would_redeliver (dry run), stored (GitHub marks it failed but we have it), or error.</param>
public sealed record RecoveredDelivery(string Guid, string Event, string? Action, string Hook, DateTimeOffset DeliveredAt, string GitHubStatus, string Outcome);

/// <summary>What a recovery run found and did.</summary>
public sealed record RecoveryReport(
    DateTimeOffset Since,
    bool DryRun,
    IReadOnlyList<string> Hooks,
    int Seen,
    int Succeeded,
    IReadOnlyList<RecoveredDelivery> Failed,
    IReadOnlyList<string> Errors)
{
    public int Redelivered => Failed.Count(f => f.Outcome == DeliveryRecovery.Redelivered);
}

/// <summary>
/// Finds GitHub deliveries that never reached the inbox and asks GitHub to send them again. GitHub keeps each
/// webhook's delivery log but never redelivers on its own. For every hook that sends to this service (the configured
/// repositories' hooks whose URL is <see cref="RecoveryOptions.HookUrl"/> or ends in /github/webhooks, and the App's
/// webhook) it reads the log back to <c>since</c> (without HookUrl, Orchestrator:PublicUrl's /github/webhooks when set); a delivery (guid) none of whose attempts we acknowledged, and that
/// is not in the inbox either, is redelivered once, its newest attempt. A redelivery keeps the guid, so the inbox
/// deduplicates it as any delivery; a second run sees the acknowledged attempt and does nothing more.
/// </summary>
public sealed partial class DeliveryRecovery(
    IGitHubSetupApi setup,
    IGitHubHookRedelivery redelivery,
    IWebhookInbox inbox,
    IOptionsMonitor<WorkflowOptions> workflow,
    IOptionsMonitor<GitHubOptions> github,
    IOptionsMonitor<RecoveryOptions> options,
    IOptionsMonitor<ServiceOptions> service,
    OrchestratorMetrics metrics,
    ILogger<DeliveryRecovery> logger)
{
    public const string Redelivered = "redelivered";
    public const string WouldRedeliver = "would_redeliver";
    public const string Stored = "stored";
    public const string Error = "error";

    /// <summary>The path every hook of this service posts to.</summary>
    public const string WebhookPath = "/github/webhooks";

    public async Task<RecoveryReport> RecoverAsync(DateTimeOffset since, bool dryRun, CancellationToken cancellationToken)
    {
        if (!github.CurrentValue.HasApiCredentials)
        {
            throw new GitHubNotConfiguredException();
        }

        var hooks = new List<string>();
        var failed = new List<RecoveredDelivery>();
        var errors = new List<string>();
        int seen = 0, succeeded = 0;
        await foreach (var (repository, hook, label) in HooksAsync(errors, cancellationToken).ConfigureAwait(false))
        {
            hooks.Add(label);
            IReadOnlyList<GitHubHookDelivery> log;
            try
            {
                log = await setup.ListHookDeliveriesAsync(repository, hook.Id, options.CurrentValue.MaxDeliveries, cancellationToken).ConfigureAwait(false);
            }
            catch (GitHubApiException ex)
            {
                errors.Add($"{label}: {ex.Message}");
                continue;
            }

            foreach (var attempts in log.Where(d => d.DeliveredAt >= since).GroupBy(d => d.Guid, StringComparer.Ordinal))
            {
                seen++;
                if (attempts.Any(a => a.Succeeded))
                {
                    succeeded++;
                    continue;
                }

                var latest = attempts.MaxBy(a => a.DeliveredAt)!;
                failed.Add(await RecoverOneAsync(repository, hook, label, latest, dryRun, errors, cancellationToken).ConfigureAwait(false));
            }
        }

        var report = new RecoveryReport(since, dryRun, hooks, seen, succeeded, failed, errors);
        Log.Recovered(logger, hooks.Count, seen, failed.Count, report.Redelivered, errors.Count, dryRun);
        return report;
    }

    private async Task<RecoveredDelivery> RecoverOneAsync(string? repository, GitHubHook hook, string label, GitHubHookDelivery latest, bool dryRun, List<string> errors, CancellationToken cancellationToken)
    {
        RecoveredDelivery Outcome(string outcome) => new(latest.Guid, latest.Event, latest.Action, label, latest.DeliveredAt, latest.Status, outcome);

        // GitHub saw a failure (a timeout, a dropped tunnel) but the delivery reached the inbox: nothing was lost.
        if (await inbox.GetAsync(latest.Guid, cancellationToken).ConfigureAwait(false) is not null)
        {
            return Outcome(Stored);
        }

        if (dryRun)
        {
            return Outcome(WouldRedeliver);
        }

        try
        {
            await redelivery.RedeliverAsync(repository, hook.Id, latest.Id, cancellationToken).ConfigureAwait(false);
        }
        catch (GitHubApiException ex)
        {
            errors.Add($"{latest.Guid}: {ex.Message}");
            return Outcome(Error);
        }

        metrics.DeliveryRecovered(latest.Event);
        Log.Redelivering(logger, latest.Guid, latest.Event, label, latest.Status);
        return Outcome(Redelivered);
    }

    private async IAsyncEnumerable<(string? Repository, GitHubHook Hook, string Label)> HooksAsync(List<string> errors, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var url = options.CurrentValue.HookUrl is { Length: > 0 } hookUrl ? hookUrl : service.CurrentValue.WebhookUrl?.AbsoluteUri;
        foreach (var repository in workflow.CurrentValue.Repositories.Select(r => r.Name).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            IReadOnlyList<GitHubHook> hooks;
            try
            {
                hooks = await setup.ListHooksAsync(repository, cancellationToken).ConfigureAwait(false);
            }
            catch (GitHubApiException ex)
            {
                errors.Add($"{repository}: {ex.Message}");
                continue;
            }

            foreach (var hook in hooks.Where(h => h.Active && Ours(h.Url, url)))
            {
                yield return (repository, hook, $"{repository} hook {hook.Id}");
            }
        }

        GitHubHook? app = null;
        try
        {
            app = await setup.GetAppHookAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (GitHubApiException ex)
        {
            errors.Add($"the App's webhook: {ex.Message}");
        }

        if (app is { Active: true })
        {
            yield return (null, app, "the App's webhook");
        }
    }

    private static bool Ours(string? hookUrl, string? configured) =>
        hookUrl is not null && (string.IsNullOrEmpty(configured)
            ? Uri.TryCreate(hookUrl, UriKind.Absolute, out var uri) && uri.AbsolutePath.TrimEnd('/').EndsWith(WebhookPath, StringComparison.OrdinalIgnoreCase)
            : string.Equals(hookUrl.TrimEnd('/'), configured.TrimEnd('/'), StringComparison.OrdinalIgnoreCase));

    private static partial class Log
    {
        [LoggerMessage(EventId = 1300, Level = LogLevel.Warning, Message = "Delivery {DeliveryId} ({Event}) never reached us ({GitHubStatus} on {Hook}); asked GitHub to redeliver it")]
        public static partial void Redelivering(ILogger logger, string deliveryId, string @event, string hook, string gitHubStatus);

        [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Delivery recovery: {Hooks} hook(s), {Seen} delivery(ies) seen, {Failed} failed on GitHub's side, {Redelivered} redelivered, {Errors} error(s), dry run {DryRun}")]
        public static partial void Recovered(ILogger logger, int hooks, int seen, int failed, int redelivered, int errors, bool dryRun);
    }
}
