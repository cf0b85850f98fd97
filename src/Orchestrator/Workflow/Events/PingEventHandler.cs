using Octokit.Webhooks.Events;
using Orchestrator.GitHub;

namespace Orchestrator.Workflow.Events;

public sealed partial class PingEventHandler(ILogger<PingEventHandler> logger) : IGitHubEventHandler
{
    public static IReadOnlyList<GitHubEventRoute> Routes { get; } =
    [
        new("ping", null, "Log that GitHub reached the webhook (sent when a hook is created).", typeof(PingEventHandler)),
    ];

    public Task HandleAsync(GitHubEvent gitHubEvent, CancellationToken cancellationToken)
    {
        var ping = (PingEvent)gitHubEvent.Payload;
        Log.Pinged(logger, gitHubEvent.Delivery.HookId, ping.Repository?.FullName);
        return Task.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 210, Level = LogLevel.Information, Message = "GitHub pinged hook {HookId} of {Repository}")]
        public static partial void Pinged(ILogger logger, long? hookId, string? repository);
    }
}
