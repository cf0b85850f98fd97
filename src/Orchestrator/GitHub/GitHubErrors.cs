using System.Globalization;
using Octokit;

namespace Orchestrator.GitHub;

internal static class GitHubErrors
{
    /// <summary>Octokit's failure as ours, with the time GitHub says a retry may succeed (rate limits).</summary>
    public static GitHubApiException Translate(string what, ApiException e, TimeProvider time)
    {
        // GitHub's Retry-After comes first: a secondary rate limit names its wait there, and the one minute of
        // GitHub's guidance is only for when it names none.
        var retryAt = e switch
        {
            _ when e.HttpResponse?.Headers is { } headers && headers.TryGetValue("Retry-After", out var after)
                && int.TryParse(after, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) => time.GetUtcNow().AddSeconds(seconds),
            RateLimitExceededException limit => limit.Reset,
            SecondaryRateLimitExceededException => time.GetUtcNow().AddMinutes(1),
            _ => (DateTimeOffset?)null,
        };
        return new GitHubApiException($"GitHub answered {(int)e.StatusCode} for {what}: {e.Message}", e.StatusCode, retryAt, e);
    }

    /// <summary>Runs <paramref name="call"/> with a client for <paramref name="repository"/>; GitHub's refusals become <see cref="GitHubApiException"/>.</summary>
    public static async Task<T> CallAsync<T>(IGitHubClientFactory clients, string repository, Func<IGitHubClient, Task<T>> call, TimeProvider time, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var client = await clients.CreateAsync(repository, cancellationToken).ConfigureAwait(false);
        try
        {
            return await call(client).ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            throw Translate(repository, e, time);
        }
    }
}
