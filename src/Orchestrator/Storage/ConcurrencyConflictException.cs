namespace Orchestrator.Storage;

/// <summary>Thrown when an optimistic update lost a race: the stored version is not the one the caller read.</summary>
public sealed class ConcurrencyConflictException(string message) : Exception(message);
