namespace Orchestrator.GitHub;

/// <summary>Raised when a GitHub REST call is needed but neither a token nor an App is configured (or the call needs a user token).</summary>
public sealed class GitHubNotConfiguredException(string message) : InvalidOperationException(message), Jobs.IPermanentFailure
{
    public GitHubNotConfiguredException()
        : this($"GitHub is not configured: set {GitHubOptions.Section}:Token, or {GitHubOptions.Section}:AppId and {GitHubOptions.Section}:AppPrivateKey.")
    {
    }

    public bool IsPermanent => true;
}
