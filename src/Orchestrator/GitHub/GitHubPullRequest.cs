namespace Orchestrator.GitHub;

public sealed record GitHubPullRequest(
    int Number,
    string Title,
    string State,
    bool Draft,
    bool Merged,
    string HeadRef,
    string BaseRef,
    Uri HtmlUrl,
    DateTimeOffset? MergedAt,
    string? HeadSha = null,
    string? Body = null,
    string? Author = null);
