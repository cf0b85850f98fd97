using System.Globalization;
using Orchestrator.Telemetry;

namespace Orchestrator.GitHub;

/// <summary>Reads GitHub's x-ratelimit-remaining from every answer (each attempt, retries included) into the rate-limit gauge.</summary>
internal sealed class GitHubRateLimitObserver(OrchestratorMetrics? metrics) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (metrics is not null && response.Headers.TryGetValues("x-ratelimit-remaining", out var values)
            && long.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var remaining))
        {
            var resource = response.Headers.TryGetValues("x-ratelimit-resource", out var r) ? r.FirstOrDefault() ?? "core" : "core";
            metrics.GitHubRateLimit(resource, remaining);
        }

        return response;
    }
}
