namespace Orchestrator.Discord;

public static class DiscordApiExtensions
{
    /// <summary>
    /// Looks for a message created with <paramref name="nonce"/> among the channel's latest 100 (or those after
    /// <paramref name="after"/>), to reconcile a post whose outcome a crash or 5xx left unknown. Discord returns
    /// nonces on recent messages; when none matches, re-posting with the same nonce still lets Discord dedupe
    /// within its window.
    /// </summary>
    public static async Task<DiscordMessage?> FindMessageByNonceAsync(this IDiscordApi api, string channelId, string nonce, string? after, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        var messages = await api.GetChannelMessagesAsync(channelId, 100, after, cancellationToken).ConfigureAwait(false);
        return messages.FirstOrDefault(m => string.Equals(m.Nonce, nonce, StringComparison.Ordinal));
    }
}
