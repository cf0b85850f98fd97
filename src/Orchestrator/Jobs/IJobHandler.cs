using Orchestrator.Storage;

namespace Orchestrator.Jobs;

/// <summary>
/// Runs one kind of job. Handlers must be idempotent: a job may run again after a crash or an expired lease,
/// so every external effect goes through <see cref="Effects"/>.
/// </summary>
public interface IJobHandler
{
    /// <summary>The job kind this handler runs, e.g. "github.webhook".</summary>
    string Kind { get; }

    Task HandleAsync(Job job, CancellationToken cancellationToken);
}

/// <summary>A failure that retrying cannot fix (a corrupt payload, a missing row): the job is dead-lettered at once.</summary>
public sealed class PermanentJobFailureException(string message, Exception? innerException = null)
    : Exception(message, innerException);
