namespace Orchestrator.Runs;

/// <summary>An issue in the plan, as GitHub described it when the plan was made. Title and labels are untrusted text.</summary>
public sealed record PlannedIssue(int Number, string Title, string Url, IReadOnlyList<string> Labels);
