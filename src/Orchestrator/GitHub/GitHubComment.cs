namespace Orchestrator.GitHub;

public sealed record GitHubComment(long Id, string Body, string Author, Uri HtmlUrl, DateTimeOffset CreatedAt);
