namespace Orchestrator.Discord;

/// <summary>The Discord REST calls the service makes. Payloads are cut to Discord's limits (<see cref="DiscordLimits"/>).</summary>
public interface IDiscordApi
{
    /// <summary>
    /// Posts a message. With a <paramref name="nonce"/> (at most 25 characters, e.g. <see cref="DiscordNonce.For"/>)
    /// the request sets enforce_nonce, so Discord returns the earlier message instead of posting a second one
    /// when the same nonce is sent again within a few minutes.
    /// </summary>
    Task<DiscordMessage> CreateMessageAsync(string channelId, MessagePayload payload, string? nonce, CancellationToken cancellationToken);

    Task<DiscordMessage> EditMessageAsync(string channelId, string messageId, MessagePayload payload, CancellationToken cancellationToken);

    /// <summary>Starts a thread on a message. The name is put on one line and cut to 100 characters.</summary>
    Task<DiscordThread> StartThreadFromMessageAsync(string channelId, string messageId, string name, int autoArchiveMinutes, CancellationToken cancellationToken);

    /// <summary>Starts a public thread without a starter message.</summary>
    Task<DiscordThread> CreateThreadAsync(string channelId, string name, int autoArchiveMinutes, CancellationToken cancellationToken);

    Task<DiscordMessage> EditOriginalInteractionResponseAsync(string applicationId, string interactionToken, MessagePayload payload, CancellationToken cancellationToken);

    Task<DiscordMessage> CreateFollowupMessageAsync(string applicationId, string interactionToken, MessagePayload payload, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> (1–100) messages, newest first, or the ones after a message id.</summary>
    Task<IReadOnlyList<DiscordMessage>> GetChannelMessagesAsync(string channelId, int limit, string? after, CancellationToken cancellationToken);

    Task<IReadOnlyList<RegisteredCommand>> GetGlobalCommandsAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<RegisteredCommand>> GetGuildCommandsAsync(string guildId, CancellationToken cancellationToken);

    /// <summary>Replaces every global command with these (commands not listed are deleted).</summary>
    Task<IReadOnlyList<RegisteredCommand>> BulkOverwriteGlobalCommandsAsync(IReadOnlyList<ApplicationCommandDefinition> commands, CancellationToken cancellationToken);

    /// <summary>Replaces every command of one guild with these; guild commands change at once.</summary>
    Task<IReadOnlyList<RegisteredCommand>> BulkOverwriteGuildCommandsAsync(string guildId, IReadOnlyList<ApplicationCommandDefinition> commands, CancellationToken cancellationToken);

    /// <summary>The bot's own user: fails with 401 when the bot token is wrong.</summary>
    Task<DiscordBotUser> GetCurrentUserAsync(CancellationToken cancellationToken);

    /// <summary>The bot's application with its Interactions Endpoint URL.</summary>
    Task<DiscordApplication> GetCurrentApplicationAsync(CancellationToken cancellationToken);

    /// <summary>A channel; 403 (Missing Access) or 404 when the bot cannot see it.</summary>
    Task<DiscordChannel> GetChannelAsync(string channelId, CancellationToken cancellationToken);
}
