using System.Text.Json.Serialization;

namespace Orchestrator.Discord;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowOutOfOrderMetadataProperties = true)]
[JsonSerializable(typeof(Interaction))]
[JsonSerializable(typeof(InteractionResponse))]
[JsonSerializable(typeof(MessagePayload))]
[JsonSerializable(typeof(CreateMessageBody))]
[JsonSerializable(typeof(CreateThreadBody))]
[JsonSerializable(typeof(DiscordMessage))]
[JsonSerializable(typeof(IReadOnlyList<DiscordMessage>))]
[JsonSerializable(typeof(DiscordThread))]
[JsonSerializable(typeof(DiscordApplication))]
[JsonSerializable(typeof(DiscordBotUser))]
[JsonSerializable(typeof(DiscordChannel))]
[JsonSerializable(typeof(DiscordErrorBody))]
[JsonSerializable(typeof(IReadOnlyList<ApplicationCommandDefinition>))]
[JsonSerializable(typeof(IReadOnlyList<RegisteredCommand>))]
internal sealed partial class DiscordJsonContext : JsonSerializerContext;
