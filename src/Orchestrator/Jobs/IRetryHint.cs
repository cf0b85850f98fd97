namespace Orchestrator.Jobs;

/// <summary>
/// A failure that says when trying again can succeed, such as a rate limit with its reset time. The job runner
/// retries such a job no earlier, rather than spend its attempts on calls the server would refuse.
/// </summary>
public interface IRetryHint
{
    /// <summary>How long from <paramref name="now"/> until the call may succeed; null when the failure does not say.</summary>
    TimeSpan? RetryDelay(DateTimeOffset now);
}
