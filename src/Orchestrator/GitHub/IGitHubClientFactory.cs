using Octokit;

namespace Orchestrator.GitHub;

/// <summary>Octokit clients for one repository, authenticated the configured way.</summary>
public interface IGitHubClientFactory
{
    /// <param name="repository">"owner/name".</param>
    Task<IGitHubClient> CreateAsync(string repository, CancellationToken cancellationToken);

    /// <summary>
    /// A client acting as a user, for the calls that refuse App installation tokens (assigning Copilot): the
    /// UserToken when set, else the Token. An App without a UserToken cannot make them.
    /// </summary>
    Task<IGitHubClient> CreateForUserAsync(string repository, CancellationToken cancellationToken);

    /// <summary>A client authenticated as the GitHub App itself (a JWT), for the App's own endpoints; null when the service uses a token.</summary>
    IGitHubClient? CreateForApp();
}
