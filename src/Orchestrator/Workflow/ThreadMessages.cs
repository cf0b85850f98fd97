using Orchestrator.Discord;
using Orchestrator.Jobs;

namespace Orchestrator.Workflow;

/// <summary>
/// Posts messages exactly once: each post carries a nonce derived from its effect key, so a retry after a
/// crash first looks for a message with that nonce (reconcile) before posting again, and Discord itself
/// drops a second post with the same nonce (enforce_nonce).
/// </summary>
public sealed class ThreadMessages(IDiscordApi discord, Effects effects)
{
    public Task<string> PostOnceAsync(string key, string channelId, MessagePayload payload, CancellationToken cancellationToken)
    {
        var nonce = DiscordNonce.For(key);
        return effects.OnceAsync(
            key,
            async ct => (await discord.FindMessageByNonceAsync(channelId, nonce, after: null, ct))?.Id,
            async ct => (await discord.CreateMessageAsync(channelId, payload, nonce, ct)).Id,
            cancellationToken);
    }
}
