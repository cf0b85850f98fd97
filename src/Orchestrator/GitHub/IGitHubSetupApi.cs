namespace Orchestrator.GitHub;

/// <summary>
/// What GitHub says about how the service is set up: its identity, repositories, workflows, webhooks and their
/// delivery logs. Read-only; used by <c>doctor</c> and by the recovery of missed deliveries.
/// </summary>
public interface IGitHubSetupApi
{
    /// <summary>GET /user for a token; GET /app (as the App) for a GitHub App.</summary>
    Task<GitHubIdentity> GetIdentityAsync(CancellationToken cancellationToken);

    /// <summary>The repository, or null when it does not exist or the credentials cannot see it.</summary>
    Task<GitHubRepositoryInfo?> GetRepositoryAsync(string repository, CancellationToken cancellationToken);

    /// <summary>Whether the workflow file (e.g. "agent.yml") exists in the repository.</summary>
    Task<bool> WorkflowExistsAsync(string repository, string workflowFile, CancellationToken cancellationToken);

    /// <summary>Whether the account can be assigned to the repository's issues.</summary>
    Task<bool> CanBeAssignedAsync(string repository, string login, CancellationToken cancellationToken);

    /// <summary>The repository's webhooks (needs the Webhooks: read permission, or admin:repo_hook).</summary>
    Task<IReadOnlyList<GitHubHook>> ListHooksAsync(string repository, CancellationToken cancellationToken);

    /// <summary>The App's webhook (GET /app/hook/config) with the events the App subscribes to; null when the service is not an App.</summary>
    Task<GitHubHook?> GetAppHookAsync(CancellationToken cancellationToken);

    /// <summary>The newest deliveries of a repository hook (or of the App's hook when <paramref name="repository"/> is null), newest first.</summary>
    Task<IReadOnlyList<GitHubHookDelivery>> ListHookDeliveriesAsync(string? repository, long hookId, int max, CancellationToken cancellationToken);
}
