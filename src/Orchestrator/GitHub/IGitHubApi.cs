namespace Orchestrator.GitHub;

/// <summary>What the daily loop needs from GitHub's REST API. Repositories are "owner/name".</summary>
public interface IGitHubApi
{
    /// <summary>Open issues with the label, oldest first, at most <paramref name="limit"/>; pull requests are left out. One call per 100.</summary>
    Task<IReadOnlyList<GitHubIssue>> ListIssuesWithLabelAsync(string repository, string label, int limit, CancellationToken cancellationToken);

    /// <summary>The issue, or null when it does not exist or is a pull request.</summary>
    Task<GitHubIssue?> GetIssueAsync(string repository, int number, CancellationToken cancellationToken);

    /// <summary>Comments first (when given), then closes the issue as completed.</summary>
    Task CloseIssueAsync(string repository, int number, string? comment, CancellationToken cancellationToken);

    Task<GitHubComment> CreateCommentAsync(string repository, int number, string body, CancellationToken cancellationToken);

    /// <summary>All comments, oldest first (to find a hidden marker such as <c>&lt;!-- orchestrator:KEY --&gt;</c>).</summary>
    Task<IReadOnlyList<GitHubComment>> ListCommentsAsync(string repository, int number, CancellationToken cancellationToken);

    Task AddAssigneesAsync(string repository, int number, IReadOnlyList<string> logins, CancellationToken cancellationToken);

    Task AddLabelsAsync(string repository, int number, IReadOnlyList<string> labels, CancellationToken cancellationToken);

    /// <param name="workflowFile">The file name under .github/workflows, e.g. "deliver.yml".</param>
    Task DispatchWorkflowAsync(string repository, string workflowFile, string gitRef, IReadOnlyDictionary<string, string> inputs, CancellationToken cancellationToken);

    /// <summary>
    /// The workflow_dispatch run created after <paramref name="createdAfter"/> whose display title or name
    /// contains <paramref name="correlationId"/>; null when GitHub has not created it (yet).
    /// </summary>
    Task<GitHubWorkflowRun?> FindWorkflowRunAsync(string repository, string workflowFile, string correlationId, DateTimeOffset createdAfter, CancellationToken cancellationToken);

    Task<GitHubWorkflowRun?> GetWorkflowRunAsync(string repository, long runId, CancellationToken cancellationToken);

    /// <summary>The latest <paramref name="count"/> runs of a workflow, newest first.</summary>
    Task<IReadOnlyList<GitHubWorkflowRun>> ListWorkflowRunsAsync(string repository, string workflowFile, int count, CancellationToken cancellationToken);

    Task<GitHubPullRequest?> GetPullRequestAsync(string repository, int number, CancellationToken cancellationToken);
}
