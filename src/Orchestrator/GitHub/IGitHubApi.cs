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
    /// <returns>The created run's id when the server returns run details; null when it answers 204 (look the run up by its name).</returns>
    Task<long?> DispatchWorkflowAsync(string repository, string workflowFile, string gitRef, IReadOnlyDictionary<string, string> inputs, CancellationToken cancellationToken);

    /// <summary>
    /// The workflow_dispatch run created after <paramref name="createdAfter"/> whose display title or name
    /// contains <paramref name="correlationId"/>; null when GitHub has not created it (yet).
    /// </summary>
    Task<GitHubWorkflowRun?> FindWorkflowRunAsync(string repository, string workflowFile, string correlationId, DateTimeOffset createdAfter, CancellationToken cancellationToken);

    Task<GitHubWorkflowRun?> GetWorkflowRunAsync(string repository, long runId, CancellationToken cancellationToken);

    /// <summary>The latest <paramref name="count"/> runs of a workflow, newest first.</summary>
    Task<IReadOnlyList<GitHubWorkflowRun>> ListWorkflowRunsAsync(string repository, string workflowFile, int count, CancellationToken cancellationToken);

    Task<GitHubPullRequest?> GetPullRequestAsync(string repository, int number, CancellationToken cancellationToken);

    // ---- coding agents and tracking (issue 12) ----

    /// <summary>
    /// Assigns a coding agent (Copilot: <c>copilot-swe-agent[bot]</c>) with its <c>agent_assignment</c>, authenticated
    /// as a user: Copilot refuses App installation tokens, so the configured UserToken is used when there is one.
    /// </summary>
    Task AssignAgentAsync(string repository, int number, string login, AgentAssignment assignment, CancellationToken cancellationToken);

    /// <summary>Pull requests of this repository that the issue's timeline links (cross-referenced events), newest last.</summary>
    Task<IReadOnlyList<int>> ListLinkedPullRequestsAsync(string repository, int issue, CancellationToken cancellationToken);

    /// <summary>The newest pull request (any state) whose head is <paramref name="branch"/> of this repository, or null.</summary>
    Task<GitHubPullRequest?> FindPullRequestByHeadAsync(string repository, string branch, CancellationToken cancellationToken);

    /// <summary>Open pull requests, newest first (at most <paramref name="limit"/>).</summary>
    Task<IReadOnlyList<GitHubPullRequest>> ListOpenPullRequestsAsync(string repository, int limit, CancellationToken cancellationToken);

    Task<GitHubPullRequest> CreatePullRequestAsync(string repository, string head, string @base, string title, string body, CancellationToken cancellationToken);

    /// <summary>Branch names starting with <paramref name="prefix"/> (git matching-refs), e.g. "claude/issue-12-".</summary>
    Task<IReadOnlyList<string>> ListBranchesAsync(string repository, string prefix, CancellationToken cancellationToken);

    /// <summary>The head's check runs ("check:NAME") and commit statuses ("status:CONTEXT"), each with its conclusion (null while pending). Two requests.</summary>
    Task<IReadOnlyList<GitHubCheck>> ListChecksAsync(string repository, string sha, CancellationToken cancellationToken);

    /// <summary>
    /// The status checks <paramref name="branch"/> requires: the required_status_checks rules of the rulesets that apply
    /// to it, and its classic branch protection's required contexts. Empty when nothing is required.
    /// </summary>
    Task<IReadOnlyList<string>> GetRequiredChecksAsync(string repository, string branch, CancellationToken cancellationToken);

    /// <summary>Workflow runs of a head commit that wait in <c>action_required</c> for someone's approval.</summary>
    Task<IReadOnlyList<GitHubWorkflowRun>> ListRunsAwaitingApprovalAsync(string repository, string headSha, CancellationToken cancellationToken);

    /// <summary>Approves a workflow run that waits in <c>action_required</c>.</summary>
    Task ApproveWorkflowRunAsync(string repository, long runId, CancellationToken cancellationToken);
}
