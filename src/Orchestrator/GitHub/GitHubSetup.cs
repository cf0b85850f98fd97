namespace Orchestrator.GitHub;

/// <summary>Who the service is on GitHub: a token's user, or a GitHub App with the permissions and events it was granted.</summary>
/// <param name="Kind">"token" or "app".</param>
/// <param name="Name">The token's login, or the App's slug.</param>
/// <param name="Permissions">An App's permissions (e.g. issues: write); empty for a token.</param>
/// <param name="Events">The events an App is subscribed to; empty for a token.</param>
/// <param name="TokenScopes">A classic token's scopes (X-OAuth-Scopes); null for a fine-grained token or an App.</param>
public sealed record GitHubIdentity(
    string Kind,
    string Name,
    IReadOnlyDictionary<string, string> Permissions,
    IReadOnlyList<string> Events,
    IReadOnlyList<string>? TokenScopes);

/// <summary>A repository as the service's credentials see it.</summary>
/// <param name="Permissions">The caller's permissions on it (admin, push, pull…), when GitHub says.</param>
public sealed record GitHubRepositoryInfo(string FullName, string DefaultBranch, bool Archived, IReadOnlyDictionary<string, bool> Permissions);

/// <summary>A webhook: a repository's, or (with <see cref="Id"/> 0) the GitHub App's.</summary>
/// <param name="HasSecret">GitHub never returns a secret; it shows "********" when one is set.</param>
public sealed record GitHubHook(long Id, string? Url, bool Active, string? ContentType, bool HasSecret, IReadOnlyList<string> Events);

/// <summary>One entry of a webhook's delivery log (<c>GET …/hooks/{id}/deliveries</c>).</summary>
/// <param name="Status">GitHub's word for the outcome, e.g. "OK", "Invalid HTTP Response: 503".</param>
/// <param name="StatusCode">Our answer's HTTP status; 0 when GitHub could not reach us.</param>
public sealed record GitHubHookDelivery(
    long Id,
    string Guid,
    DateTimeOffset DeliveredAt,
    bool Redelivery,
    string Status,
    int StatusCode,
    string Event,
    string? Action)
{
    /// <summary>Our service acknowledged it (2xx).</summary>
    public bool Succeeded => StatusCode is >= 200 and < 300;
}
