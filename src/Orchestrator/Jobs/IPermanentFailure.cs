namespace Orchestrator.Jobs;

/// <summary>
/// A failure that trying again cannot fix — a missing setting, a request the server refused for itself (not found, no
/// permission, invalid). The job runner dead-letters such a job at once instead of spending its attempts.
/// </summary>
public interface IPermanentFailure
{
    bool IsPermanent { get; }
}
