using System.Net;

namespace Orchestrator.GitHub;

/// <summary>A GitHub answer the call could not get past (after the retries the HTTP layer allows).</summary>
public sealed class GitHubApiException(string message, HttpStatusCode status, DateTimeOffset? retryAt, Exception inner)
    : Exception(message, inner), Jobs.IRetryHint
{
    public HttpStatusCode Status { get; } = status;

    /// <summary>For rate limits: when GitHub says to come back.</summary>
    public DateTimeOffset? RetryAt { get; } = retryAt;

    public bool IsRateLimit => RetryAt is not null;

    public TimeSpan? RetryDelay(DateTimeOffset now) => RetryAt is { } at ? (at > now ? at - now : TimeSpan.Zero) : null;
}
