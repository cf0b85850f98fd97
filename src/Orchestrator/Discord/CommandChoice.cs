namespace Orchestrator.Discord;

public sealed record CommandChoice(string Name, string Value);
