namespace Orchestrator.GitHub;

/// <summary>A workflow run. <see cref="DisplayTitle"/> is the workflow's <c>run-name</c>, where a correlation id can be placed.</summary>
public sealed record GitHubWorkflowRun(
    long Id,
    string Name,
    string DisplayTitle,
    string Event,
    string Status,
    string? Conclusion,
    string HeadBranch,
    Uri HtmlUrl,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
