using System.Globalization;
using Microsoft.Extensions.Options;
using Orchestrator.GitHub;
using Orchestrator.Jobs;
using Orchestrator.Storage;
using Orchestrator.Workflow;

namespace Orchestrator.Operations;

/// <summary>
/// Automatic recovery: each periodic round enqueues one recovery job per <see cref="RecoveryOptions.Interval"/> slot
/// (the slot's start in the idempotency key, so several workers or Lambda instances enqueue it once), and the first
/// round after a start enqueues one more of its own, so what GitHub failed to deliver while the service was down is
/// recovered at once. The job reads the last <see cref="RecoveryOptions.Window"/> of the hooks' logs.
/// </summary>
public sealed partial class RecoverySchedule(
    IJobQueue queue,
    IOptionsMonitor<RecoveryOptions> options,
    IOptionsMonitor<GitHubOptions> github,
    IOptionsMonitor<WorkflowOptions> workflow,
    TimeProvider time,
    ILogger<RecoverySchedule> logger) : IPeriodicTask
{
    private readonly string _start = Guid.NewGuid().ToString("N");
    private long _startSlot;

    public string Name => "github.recover-deliveries";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var interval = options.CurrentValue.Interval;
        if (interval <= TimeSpan.Zero || !github.CurrentValue.HasApiCredentials
            || (workflow.CurrentValue.Repositories.Count == 0 && string.IsNullOrEmpty(github.CurrentValue.AppId)))
        {
            return; // off, nothing to ask GitHub with, or no hook to read (no repository, not an App)
        }

        // The first round of this process recovers at once; later rounds once per slot. The slot of the start is
        // skipped, so the two do not ask GitHub for the same redeliveries while the first ones are still arriving.
        var slot = time.GetUtcNow().UtcTicks / interval.Ticks * interval.Ticks;
        if (Interlocked.CompareExchange(ref _startSlot, slot, 0) == 0)
        {
            await EnqueueAsync("recover:start:" + _start, cancellationToken).ConfigureAwait(false);
            Log.AfterStart(logger);
            return;
        }

        if (slot != Interlocked.Read(ref _startSlot))
        {
            await EnqueueAsync("recover:" + slot.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        }
    }

    private Task<EnqueueResult> EnqueueAsync(string key, CancellationToken cancellationToken) =>
        queue.EnqueueAsync(new JobRequest(RecoveryJobHandler.JobKind, key, "{}"), cancellationToken);

    private static partial class Log
    {
        [LoggerMessage(EventId = 1302, Level = LogLevel.Information, Message = "Recovering missed GitHub deliveries after start-up")]
        public static partial void AfterStart(ILogger logger);
    }
}

/// <summary>Runs <see cref="DeliveryRecovery"/> over the configured window. A GitHub error fails the job, which retries with backoff.</summary>
public sealed class RecoveryJobHandler(DeliveryRecovery recovery, IOptionsMonitor<RecoveryOptions> options, TimeProvider time) : IJobHandler
{
    public const string JobKind = "github.recover-deliveries";

    public string Kind => JobKind;

    public async Task HandleAsync(Job job, CancellationToken cancellationToken)
    {
        var report = await recovery.RecoverAsync(time.GetUtcNow() - options.CurrentValue.Window, dryRun: false, cancellationToken).ConfigureAwait(false);
        if (report.Errors.Count > 0 && report.Hooks.Count == 0)
        {
            throw new InvalidOperationException("Delivery recovery could not read any hook: " + string.Join("; ", report.Errors));
        }
    }
}
