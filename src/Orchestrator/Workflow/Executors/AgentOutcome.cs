namespace Orchestrator.Workflow.Executors;

/// <summary>What an agent said about its work in its own comment: finished, or failed with its reason (untrusted text).</summary>
public sealed record AgentOutcome(bool Succeeded, string Message);
