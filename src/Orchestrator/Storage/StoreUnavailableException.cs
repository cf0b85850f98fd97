namespace Orchestrator.Storage;

/// <summary>Thrown by a store that cannot be reached or is full; endpoints answer 503.</summary>
public sealed class StoreUnavailableException(string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    /// <summary>One line for a person: the message (which names the path or endpoint) and its cause, once, without a stack trace.</summary>
    public string Describe() =>
        InnerException is { } cause && !Message.Contains(cause.Message, StringComparison.Ordinal)
            ? $"{Message.TrimEnd('.')} ({cause.Message.TrimEnd('.')})"
            : Message;
}
