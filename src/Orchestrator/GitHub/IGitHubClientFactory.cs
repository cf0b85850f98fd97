using Octokit;

namespace Orchestrator.GitHub;

/// <summary>Octokit clients for one repository, authenticated the configured way.</summary>
public interface IGitHubClientFactory
{
    /// <param name="repository">"owner/name".</param>
    Task<IGitHubClient> CreateAsync(string repository, CancellationToken cancellationToken);

    /// <summary>A client authenticated as the GitHub App itself (a JWT), for the App's own endpoints; null when the service uses a token.</summary>
    IGitHubClient? CreateForApp();
}
