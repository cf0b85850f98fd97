using System.Globalization;
using System.Text.Json;
using Orchestrator.Storage;

namespace Orchestrator.Discord;

/// <summary>
/// Routes a verified interaction to its command. Buttons and select menus carry "command:run-id[:issue]" as custom
/// id and run the command of that name with the run as argument, so a component and its slash command share one
/// handler and one access check.
/// </summary>
public sealed partial class InteractionDispatcher(
    IServiceProvider services,
    CommandCatalog commands,
    ICommandGate gate,
    ILogger<InteractionDispatcher> logger)
{
    public async Task<InteractionResponse> DispatchAsync(Interaction interaction, CancellationToken cancellationToken)
    {
        if (interaction.Type == InteractionType.Ping)
        {
            return InteractionResponse.Pong;
        }

        var (name, arguments) = interaction.Type == InteractionType.MessageComponent || interaction.Type == InteractionType.ModalSubmit
            ? FromCustomId(interaction.Data!.CustomId!, interaction.Data.Values)
            : (interaction.Data!.Name!, Flatten(interaction.Data.Options));

        var command = commands.Find(name);
        if (command is null)
        {
            Log.UnknownCommand(logger, name);
            return interaction.Type == InteractionType.ApplicationCommandAutocomplete
                ? InteractionResponse.Choices([])
                : InteractionResponse.Message($"I don't know the command `{Markdown.Escape(name)}` yet. Try `/help`.", ephemeral: true);
        }

        var context = new CommandContext(interaction, arguments);
        var handler = services.GetRequiredKeyedService<ICommandHandler>(command.Name);
        try
        {
            if (interaction.Type != InteractionType.ApplicationCommandAutocomplete)
            {
                if (await gate.RefuseAsync(command, context, cancellationToken) is { } refusal)
                {
                    Log.Denied(logger, command.Name, context.Actor.Id);
                    return InteractionResponse.Message(refusal, ephemeral: true);
                }
            }

            if (interaction.Type == InteractionType.ApplicationCommandAutocomplete)
            {
                var focused = FindFocused(interaction.Data.Options);
                var choices = focused is null
                    ? []
                    : await handler.AutocompleteAsync(context, focused.Name!, ValueText(focused), cancellationToken);
                return InteractionResponse.Choices(choices.Take(25).ToList());
            }

            return await handler.HandleAsync(context, cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            // Every command answers a lost optimistic update alike: nothing was changed, so it is safe to try again.
            Log.Conflict(logger, command.Name);
            return InteractionResponse.Message("Someone changed this run at the same moment, so nothing was done. Look at `/status` and try again.", ephemeral: true);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.CommandFailed(logger, ex, command.Name);
            return InteractionResponse.Message("Something went wrong while handling that command. It has been logged; try again in a moment.", ephemeral: true);
        }
    }

    /// <summary>
    /// "command", "command:run-id" or "command:run-id:issue" (a button about one task of a run); a select menu's
    /// choice comes as the "value" argument.
    /// </summary>
    private static (string Name, IReadOnlyDictionary<string, string> Arguments) FromCustomId(string customId, IReadOnlyList<string>? values)
    {
        var parts = customId.Split(':', 3);
        var arguments = new Dictionary<string, string>();
        if (parts.Length > 1)
        {
            arguments["run"] = parts[1];
        }

        if (parts.Length > 2)
        {
            arguments["issue"] = parts[2];
        }

        if (values is [var value, ..])
        {
            arguments["value"] = value;
        }

        return (parts[0], arguments);
    }

    private static Dictionary<string, string> Flatten(IReadOnlyList<CommandOptionValue>? options)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var option in options ?? [])
        {
            if (option.Name is not null && option.Value is not null)
            {
                result[option.Name] = ValueText(option);
            }
        }

        return result;
    }

    private static CommandOptionValue? FindFocused(IReadOnlyList<CommandOptionValue>? options) =>
        options?.FirstOrDefault(o => o.Focused == true);

    private static string ValueText(CommandOptionValue option) => option.Value switch
    {
        null => string.Empty,
        { ValueKind: JsonValueKind.String } v => v.GetString() ?? string.Empty,
        { ValueKind: JsonValueKind.Number } v => v.GetRawText(),
        { ValueKind: JsonValueKind.True } => bool.TrueString.ToLower(CultureInfo.InvariantCulture),
        { ValueKind: JsonValueKind.False } => bool.FalseString.ToLower(CultureInfo.InvariantCulture),
        { } v => v.GetRawText(),
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = 110, Level = LogLevel.Information, Message = "Unknown command {Command}")]
        public static partial void UnknownCommand(ILogger logger, string command);

        [LoggerMessage(EventId = 112, Level = LogLevel.Information, Message = "Denied {Command} to user {UserId}")]
        public static partial void Denied(ILogger logger, string command, string userId);

        [LoggerMessage(EventId = 113, Level = LogLevel.Information, Message = "Command {Command} lost a concurrent update of its run")]
        public static partial void Conflict(ILogger logger, string command);

        [LoggerMessage(EventId = 111, Level = LogLevel.Error, Message = "Command {Command} failed")]
        public static partial void CommandFailed(ILogger logger, Exception exception, string command);
    }
}
