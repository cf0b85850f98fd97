using Octokit;

namespace Orchestrator.GitHub;

/// <summary>Octokit clients for one repository, authenticated the configured way.</summary>
public interface IGitHubClientFactory
{
    /// <param name="repository">"owner/name".</param>
    Task<IGitHubClient> CreateAsync(string repository, CancellationToken cancellationToken);
}
