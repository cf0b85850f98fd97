namespace Orchestrator.Discord;

/// <summary>Discord application command option types used by our commands.</summary>
public enum CommandOptionType
{
    String = 3,
    Integer = 4,
    Boolean = 5,
}

public sealed record CommandOption(string Name, string Description, CommandOptionType Type, bool Required = false, bool Autocomplete = false);

/// <summary>Who may run a command. Privileged commands are denied unless the access table names the caller.</summary>
public enum CommandAccess
{
    Everyone,
    Privileged,
}

/// <summary>One row of the command table: it drives dispatch, /help and registration with Discord.</summary>
public sealed record SlashCommand(string Name, string Description, IReadOnlyList<CommandOption> Options, CommandAccess Access, Type Handler)
{
    public static SlashCommand For<THandler>(string name, string description, CommandAccess access = CommandAccess.Everyone, params CommandOption[] options)
        where THandler : class, ISlashCommand =>
        new(name, description, options, access, typeof(THandler));
}

/// <summary>The caller and arguments of a slash command or button.</summary>
public sealed class CommandContext(Interaction interaction, IReadOnlyDictionary<string, string> arguments)
{
    public Interaction Interaction { get; } = interaction;

    public IReadOnlyDictionary<string, string> Arguments { get; } = arguments;

    public DiscordUser Actor { get; } = interaction.Actor ?? new DiscordUser("unknown", null, null);

    public string? Argument(string name) => Arguments.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
}

public interface ISlashCommand
{
    /// <summary>Answers within Discord's 3-second limit; slow work is enqueued as a job and the answer deferred.</summary>
    Task<InteractionResponse> HandleAsync(CommandContext context, CancellationToken cancellationToken);

    /// <summary>Suggestions for the focused option; none by default.</summary>
    Task<IReadOnlyList<CommandChoice>> AutocompleteAsync(CommandContext context, string option, string prefix, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<CommandChoice>>([]);
}
