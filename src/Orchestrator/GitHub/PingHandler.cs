using Octokit.Webhooks.Events;

namespace Orchestrator.GitHub;

public sealed partial class PingHandler(ILogger<PingHandler> logger) : IGitHubEventHandler
{
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
