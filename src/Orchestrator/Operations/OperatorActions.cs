using System.Globalization;
using Orchestrator.Storage;

namespace Orchestrator.Operations;

/// <summary>
/// The two repairs an operator makes, from the CLI or the dashboard's buttons, each audited with who asked.
/// Both only enqueue work; what the work does stays deduplicated by the effect ledger like any other job.
/// </summary>
public sealed class OperatorActions(IWebhookInbox inbox, IJobQueue jobs, IOperatorStore store, IAuditLog audit, TimeProvider time)
{
    public const string ReplayAction = "delivery.replay";
    public const string RetryAction = "job.retry";

    /// <summary>Processes a stored delivery again as a new job. Throws <see cref="OperatorException"/> when it is not in the inbox.</summary>
    public async Task<ActionResult> ReplayAsync(string deliveryId, string actor, CancellationToken cancellationToken)
    {
        if (await inbox.GetAsync(deliveryId, cancellationToken).ConfigureAwait(false) is not { } delivery)
        {
            await AuditAsync(actor, ReplayAction, AuditOutcome.Refused, $"delivery {deliveryId} is not in the inbox", cancellationToken).ConfigureAwait(false);
            throw new OperatorException($"No delivery '{deliveryId}' in the inbox (never received, or older than the inbox retention).");
        }

        // A key of its own per replay: the original job's key would find the completed job and enqueue nothing.
        var now = time.GetUtcNow();
        var key = $"replay:{delivery.DeliveryId}:{now.UtcTicks.ToString(CultureInfo.InvariantCulture)}";
        var job = await jobs.EnqueueAsync(new JobRequest(InboxJob.Kind, key, delivery.DeliveryId), cancellationToken).ConfigureAwait(false);
        await AuditAsync(actor, ReplayAction, AuditOutcome.Succeeded, $"delivery {delivery.DeliveryId} ({delivery.Event}) as job {job.JobId}", cancellationToken).ConfigureAwait(false);
        return new ActionResult(ReplayAction, delivery.DeliveryId, job.JobId, $"Delivery {delivery.DeliveryId} ({delivery.Event}) queued for processing again as job {job.JobId}.");
    }

    /// <summary>Puts a dead letter back in the queue. Throws <see cref="OperatorException"/> when the job is unknown or not dead.</summary>
    public async Task<ActionResult> RetryAsync(string jobId, string actor, CancellationToken cancellationToken)
    {
        if (!await store.RetryDeadLetterAsync(jobId, cancellationToken).ConfigureAwait(false))
        {
            var job = await jobs.GetAsync(jobId, cancellationToken).ConfigureAwait(false);
            var reason = job is null ? $"No job '{jobId}'." : $"Job {jobId} is {Names.Of(job.State)}, not dead-lettered: only a dead letter can be retried.";
            await AuditAsync(actor, RetryAction, AuditOutcome.Refused, reason, cancellationToken).ConfigureAwait(false);
            throw new OperatorException(reason);
        }

        await AuditAsync(actor, RetryAction, AuditOutcome.Succeeded, $"job {jobId} back in the queue", cancellationToken).ConfigureAwait(false);
        return new ActionResult(RetryAction, jobId, jobId, $"Job {jobId} is back in the queue, due now.");
    }

    private Task AuditAsync(string actor, string action, AuditOutcome outcome, string detail, CancellationToken cancellationToken) =>
        audit.AppendAsync(new AuditEntry(time.GetUtcNow(), actor, null, action, null, outcome, detail), cancellationToken);
}

/// <summary>An operator's request that cannot be done as asked (unknown id, wrong state); its message says why.</summary>
public sealed class OperatorException(string message) : InvalidOperationException(message);
