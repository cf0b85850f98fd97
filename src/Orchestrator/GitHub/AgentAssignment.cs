namespace Orchestrator.GitHub;

/// <summary>
/// The <c>agent_assignment</c> of an assignment to Copilot (GitHub changelog 2025-12-03, "Assign issues to Copilot using
/// the API"): where it works and what it is told. Unset members are left out of the request.
/// </summary>
public sealed record AgentAssignment(string? TargetRepository, string? BaseBranch, string? CustomInstructions, string? Model);
