using System.Net;

namespace Orchestrator.GitHub;

/// <summary>A GitHub answer the call could not get past (after the retries the HTTP layer allows).</summary>
public sealed class GitHubApiException(string message, HttpStatusCode status, DateTimeOffset? retryAt, Exception inner)
    : Exception(message, inner), Jobs.IRetryHint, Jobs.IPermanentFailure
{
    /// <summary>GitHub refused the request itself (bad input, no access, missing): a retry would be refused the same way.</summary>
    public bool IsPermanent => !IsRateLimit && (int)Status is 400 or 401 or 403 or 404 or 410 or 422;

    public HttpStatusCode Status { get; } = status;

    /// <summary>For rate limits: when GitHub says to come back.</summary>
    public DateTimeOffset? RetryAt { get; } = retryAt;

    public bool IsRateLimit => RetryAt is not null;

    public TimeSpan? RetryDelay(DateTimeOffset now) => RetryAt is { } at ? (at > now ? at - now : TimeSpan.Zero) : null;
}
