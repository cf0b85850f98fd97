namespace Orchestrator.GitHub;

/// <summary>One row of the event table: which handler runs for an event and (optionally) one of its actions.</summary>
public sealed record GitHubEventRoute(string Event, string? Action, string Description, Type Handler)
{
    public bool Matches(string eventName, string? action) =>
        string.Equals(Event, eventName, StringComparison.Ordinal)
        && (Action is null || string.Equals(Action, action, StringComparison.Ordinal));
}
