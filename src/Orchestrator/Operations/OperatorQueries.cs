using Orchestrator.Runs;
using Orchestrator.Storage;

namespace Orchestrator.Operations;

/// <summary>
/// The operator's questions answered from the configured store (SQLite or DynamoDB, the one the service uses, read
/// directly, so it works while the service runs): what runs did and wait for, what arrived and what became of it,
/// what is queued or dead. The CLI and the dashboard both ask here, so they always agree.
/// </summary>
public sealed class OperatorQueries(
    IRunStore runs,
    IWebhookInbox inbox,
    IJobQueue jobs,
    IOperatorStore store,
    IAuditLog audit,
    TimeProvider time)
{
    /// <summary>How many of the newest runs the filters look through.</summary>
    public const int RunScanLimit = 500;

    public async Task<IReadOnlyList<RunSummaryView>> ListRunsAsync(RunState? state, string? repository, DateTimeOffset? since, int limit, CancellationToken cancellationToken)
    {
        var latest = await runs.ListLatestAsync(RunScanLimit, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        return [.. latest
            .Where(r => state is null || r.State == state)
            .Where(r => repository is null || string.Equals(r.Repository, repository, StringComparison.OrdinalIgnoreCase))
            .Where(r => since is null || r.CreatedAt >= since || r.UpdatedAt >= since)
            .Take(limit)
            .Select(r => Summary(r, now))];
    }

    /// <summary>Null when no run has this id.</summary>
    public async Task<RunDetailView?> GetRunAsync(string id, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(id) || await runs.GetAsync(new RunId(id.Trim().ToUpperInvariant()), cancellationToken).ConfigureAwait(false) is not { } run)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var issues = run.Plan.ToDictionary(i => i.Number);
        var tasks = run.Tasks.Select(t => new TaskView(
            t.IssueNumber,
            issues.GetValueOrDefault(t.IssueNumber)?.Title,
            issues.GetValueOrDefault(t.IssueNumber)?.Url,
            Names.Of(t.State),
            t.CorrelationId,
            t.PullRequestNumber,
            t.PullRequestUrl,
            t.HeadSha,
            t.ChecksConclusion,
            t.Checks ?? new Dictionary<string, string>(),
            t.Attempts,
            t.LastError,
            t.DispatchedAt,
            t.MergedAt,
            t.DispatchedAt is { } from ? ((t.MergedAt ?? (Run.IsActive(run.State) ? now : run.UpdatedAt)) - from).TotalSeconds : null,
            WaitingFor.OfTask(run, t))).ToList();
        var ship = run.Ship is { } s ? new ShipView(s.CorrelationId, s.RequestedBy, s.RequestedAt, s.Conclusion, s.WorkflowRunUrl, s.CompletedAt, s.ForcedReason) : null;

        // The run's own milestones, then every audited action on it (approvals, refusals, ship, ...), in time order.
        var timeline = new List<TimelineEntry> { new(run.CreatedAt, run.RequestedBy ?? "system", "run.created", "succeeded", run.Repository) };
        timeline.AddRange(run.Tasks.Where(t => t.DispatchedAt is not null).Select(t => new TimelineEntry(t.DispatchedAt!.Value, "system", "task.dispatched", "succeeded", $"#{t.IssueNumber}")));
        timeline.AddRange(run.Tasks.Where(t => t.MergedAt is not null).Select(t => new TimelineEntry(t.MergedAt!.Value, "github", "task.merged", "succeeded", $"#{t.IssueNumber} PR #{t.PullRequestNumber}")));
        if (run.Ship is { CompletedAt: { } completed } done)
        {
            timeline.Add(new TimelineEntry(completed, "github", "ship.completed", done.Conclusion ?? "unknown", done.WorkflowRunUrl));
        }

        var entries = await audit.ListByRunAsync(run.Id.Value, cancellationToken).ConfigureAwait(false);
        timeline.AddRange(entries.Select(e => new TimelineEntry(e.At, e.ActorName is null ? e.Actor : $"{e.ActorName} ({e.Actor})", e.Action, Names.Of(e.Outcome), e.Detail)));
        return new RunDetailView(Summary(run, now), tasks, ship, [.. timeline.OrderBy(e => e.At)]);
    }

    /// <param name="duplicated">Only deliveries received more than once (GitHub redelivered their id after they were stored).</param>
    public async Task<IReadOnlyList<DeliveryView>> ListDeliveriesAsync(string? eventName, string? status, bool duplicated, DateTimeOffset since, int limit, CancellationToken cancellationToken)
    {
        // Filtering needs each delivery's job (status) or looks past the newest (event, duplicated): read more then.
        var read = eventName is null && status is null && !duplicated ? limit : Math.Max(limit * 10, 500);
        var summaries = await store.ListDeliveriesAsync(since, read, cancellationToken).ConfigureAwait(false);
        var views = new List<DeliveryView>();
        foreach (var summary in summaries.Where(d => (eventName is null || string.Equals(d.Event, eventName, StringComparison.OrdinalIgnoreCase)) && (!duplicated || d.Duplicates > 0)))
        {
            var view = await ViewAsync(summary, cancellationToken).ConfigureAwait(false);
            if (status is null || view.Status == status)
            {
                views.Add(view);
                if (views.Count == limit)
                {
                    break;
                }
            }
        }

        return views;
    }

    /// <summary>Null when the inbox has no delivery with this id (never received, or past its retention).</summary>
    public async Task<DeliveryDetailView?> GetDeliveryAsync(string deliveryId, bool withPayload, CancellationToken cancellationToken)
    {
        if (await store.GetDeliveryAsync(deliveryId, cancellationToken).ConfigureAwait(false) is not { } summary)
        {
            return null;
        }

        var view = await ViewAsync(summary, cancellationToken).ConfigureAwait(false);
        var payload = withPayload && await inbox.GetAsync(deliveryId, cancellationToken).ConfigureAwait(false) is { } delivery
            ? System.Text.Encoding.UTF8.GetString(delivery.Payload)
            : null;
        return new DeliveryDetailView(view, payload);
    }

    /// <summary>Jobs in one state, or (null) every waiting job: pending, leased, then dead letters.</summary>
    public async Task<IReadOnlyList<JobView>> ListJobsAsync(JobState? state, int limit, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var result = new List<JobView>();
        foreach (var s in state is { } one ? [one] : new[] { JobState.Pending, JobState.Leased, JobState.DeadLettered })
        {
            var listed = await store.ListJobsAsync(s, limit, cancellationToken).ConfigureAwait(false);
            result.AddRange(listed.Select(j => View(j, now, withPayload: false)));
        }

        return result;
    }

    public async Task<JobView?> GetJobAsync(string jobId, CancellationToken cancellationToken) =>
        await jobs.GetAsync(jobId, cancellationToken).ConfigureAwait(false) is { } job ? View(job, time.GetUtcNow(), withPayload: true) : null;

    public async Task<QueueView> QueueAsync(CancellationToken cancellationToken)
    {
        var stats = await jobs.GetStatsAsync(cancellationToken).ConfigureAwait(false);
        var due = await store.ListJobsAsync(JobState.Pending, 1, cancellationToken).ConfigureAwait(false);
        var oldest = due.Count > 0 ? due[0] : null;
        var now = time.GetUtcNow();
        var age = oldest is not null && oldest.DueAt <= now ? (now - oldest.DueAt).TotalSeconds : 0;
        return new QueueView(stats.Pending, stats.Leased, stats.DeadLettered, oldest?.DueAt, age);
    }

    /// <param name="actor">Matches the actor id or name, case-insensitively, as a substring.</param>
    public async Task<IReadOnlyList<AuditView>> ListAuditAsync(DateTimeOffset since, string? actor, string? runId, int limit, CancellationToken cancellationToken)
    {
        var entries = runId is not null
            ? await audit.ListByRunAsync(runId, cancellationToken).ConfigureAwait(false)
            : await audit.ListAsync(since, time.GetUtcNow().AddSeconds(1), int.MaxValue, cancellationToken).ConfigureAwait(false);
        // Newest first; entries of the same instant newest appended first (the stores list oldest first).
        return [.. entries
            .Reverse()
            .Where(e => e.At >= since)
            .Where(e => actor is null
                || e.Actor.Contains(actor, StringComparison.OrdinalIgnoreCase)
                || (e.ActorName?.Contains(actor, StringComparison.OrdinalIgnoreCase) ?? false))
            .OrderByDescending(e => e.At)
            .Take(limit)
            .Select(e => new AuditView(e.At, e.Actor, e.ActorName, e.Action, e.RunId, Names.Of(e.Outcome), e.Detail))];
    }

    private async Task<DeliveryView> ViewAsync(DeliverySummary summary, CancellationToken cancellationToken)
    {
        var job = await store.FindJobByKeyAsync(InboxJob.For(new WebhookDelivery(summary.DeliveryId, summary.Event, summary.Action, summary.HookId, summary.ReceivedAt, [])).IdempotencyKey, cancellationToken).ConfigureAwait(false);
        return new DeliveryView(
            summary.DeliveryId,
            summary.Event,
            summary.Action,
            summary.HookId,
            summary.ReceivedAt,
            summary.PayloadBytes,
            summary.Duplicates,
            summary.LastDuplicateAt,
            DeliveryStatus(job),
            job is null ? null : View(job, time.GetUtcNow(), withPayload: false));
    }

    /// <summary>queued, processing, processed, retrying (failed at least once, due again), failed (dead letter), or unknown (its job expired).</summary>
    public static string DeliveryStatus(Job? job) => job switch
    {
        null => "unknown",
        { State: JobState.Completed } => "processed",
        { State: JobState.DeadLettered } => "failed",
        { State: JobState.Leased } => "processing",
        { LastError: not null } => "retrying",
        _ => "queued",
    };

    public static IReadOnlyList<string> DeliveryStatuses { get; } = ["queued", "processing", "processed", "retrying", "failed", "unknown"];

    private static JobView View(Job job, DateTimeOffset now, bool withPayload) => new(
        job.Id,
        job.Kind,
        Names.Of(job.State),
        job.IdempotencyKey,
        job.CreatedAt,
        job.DueAt,
        job.Attempts,
        job.LeaseOwner,
        job.LeaseExpiresAt,
        job.LastError,
        Math.Max(0, (now - job.CreatedAt).TotalSeconds),
        withPayload ? job.Payload : null);

    private static RunSummaryView Summary(Run run, DateTimeOffset now) => new(
        run.Id.Value,
        run.Repository,
        Names.Of(run.State),
        run.OnHold,
        run.CreatedAt,
        run.UpdatedAt,
        ((Run.IsActive(run.State) ? now : run.UpdatedAt) - run.CreatedAt).TotalSeconds,
        run.Tasks.Count,
        run.Tasks.Count(t => t.State == TaskState.Merged),
        run.RequestedBy,
        run.ApprovedBy,
        run.Reason,
        WaitingFor.OfRun(run));
}
