namespace Orchestrator.Runs;

/// <summary>A ready issue the plan left out, and why (assigned to a person, an open pull request, a skip label, blocked). Title is untrusted text.</summary>
public sealed record SkippedIssue(int Number, string Title, string Url, string Reason);
