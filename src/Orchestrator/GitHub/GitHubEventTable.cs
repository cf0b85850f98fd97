namespace Orchestrator.GitHub;

/// <summary>Every GitHub event the service acts on. Events not listed are stored, acknowledged and logged.</summary>
public static class GitHubEventTable
{
    public static readonly IReadOnlyList<GitHubEventRoute> All =
    [
        new("ping", null, "Log that GitHub reached the webhook (sent when a hook is created).", typeof(PingHandler)),
    ];
}
