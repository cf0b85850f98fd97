namespace Orchestrator.Discord;

public enum InteractionResponseType
{
    Pong = 1,
    ChannelMessageWithSource = 4,
    DeferredChannelMessageWithSource = 5,
    DeferredUpdateMessage = 6,
    UpdateMessage = 7,
    ApplicationCommandAutocompleteResult = 8,
}

public sealed record InteractionResponse(InteractionResponseType Type, MessagePayload? Data = null)
{
    public static readonly InteractionResponse Pong = new(InteractionResponseType.Pong);

    public static InteractionResponse Message(string content, bool ephemeral = false) =>
        new(InteractionResponseType.ChannelMessageWithSource, MessagePayload.Text(content, ephemeral));

    public static InteractionResponse Message(MessagePayload payload) =>
        new(InteractionResponseType.ChannelMessageWithSource, payload);

    public static InteractionResponse Deferred(bool ephemeral = false) =>
        new(InteractionResponseType.DeferredChannelMessageWithSource, ephemeral ? new MessagePayload { Flags = MessageFlags.Ephemeral } : null);

    public static InteractionResponse DeferredUpdate() => new(InteractionResponseType.DeferredUpdateMessage);

    public static InteractionResponse Choices(IReadOnlyList<CommandChoice> choices) =>
        new(InteractionResponseType.ApplicationCommandAutocompleteResult, new MessagePayload { Choices = choices });
}
