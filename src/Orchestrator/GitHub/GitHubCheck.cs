namespace Orchestrator.GitHub;

/// <summary>A check of a commit: "check:NAME" for a check run, "status:CONTEXT" for a commit status; <see cref="Conclusion"/> is null while it runs.</summary>
public sealed record GitHubCheck(string Name, string? Conclusion);
