namespace Orchestrator.Storage;

/// <summary>Thrown by a store that cannot be reached or is full; endpoints answer 503.</summary>
public sealed class StoreUnavailableException(string message, Exception? innerException = null)
    : Exception(message, innerException);
