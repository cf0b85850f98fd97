namespace Orchestrator.GitHub;

/// <summary>The event routes the product registered with the adapter (<see cref="GitHubServices.AddGitHub"/>).</summary>
public sealed class GitHubEventCatalog(IReadOnlyList<GitHubEventRoute> routes)
{
    public IReadOnlyList<GitHubEventRoute> All { get; } = routes;

    /// <summary>The routes that run for a delivery of this event and action, in table order.</summary>
    public IReadOnlyList<GitHubEventRoute> Matching(string eventName, string? action) =>
        [.. All.Where(r => r.Matches(eventName, action))];
}
