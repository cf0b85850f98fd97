namespace Orchestrator.GitHub;

public interface IGitHubEventHandler
{
    Task HandleAsync(GitHubEvent gitHubEvent, CancellationToken cancellationToken);
}
