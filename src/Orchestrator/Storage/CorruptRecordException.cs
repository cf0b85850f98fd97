namespace Orchestrator.Storage;

/// <summary>
/// Thrown when a stored record exists but cannot be read back (a damaged document, a value out of range).
/// Retrying does not help: the record needs repair or removal. Callers that loop over work treat it like any
/// other failure of one item and carry on with the rest.
/// </summary>
public sealed class CorruptRecordException(string message, Exception? innerException = null)
    : Exception(message, innerException);
