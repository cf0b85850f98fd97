namespace Orchestrator.GitHub;

/// <summary>Raised when a GitHub REST call is needed but neither a token nor an App is configured.</summary>
public sealed class GitHubNotConfiguredException()
    : InvalidOperationException(
        $"GitHub is not configured: set {GitHubOptions.Section}:Token, or {GitHubOptions.Section}:AppId and {GitHubOptions.Section}:AppPrivateKey.");
