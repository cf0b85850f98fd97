namespace Orchestrator.GitHub;

/// <summary>An issue (never a pull request). <see cref="Repository"/> is "owner/name".</summary>
public sealed record GitHubIssue(
    string Repository,
    int Number,
    string Title,
    string? Body,
    string State,
    IReadOnlyList<string> Labels,
    IReadOnlyList<string> Assignees,
    Uri HtmlUrl,
    DateTimeOffset CreatedAt,
    DateTimeOffset? UpdatedAt);
