namespace Orchestrator.Workflow;

/// <summary>
/// The interaction a job answers: Discord lets us edit the deferred response and send follow-ups with its
/// token for 15 minutes. A class, so the token never shows in a record's ToString().
/// </summary>
public sealed class InteractionHandle
{
    public required string ApplicationId { get; init; }

    public required string Token { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>Discord keeps the token valid for 15 minutes; leave a margin.</summary>
    public bool IsUsable(DateTimeOffset now) => now - ReceivedAt < TimeSpan.FromMinutes(14);
}
