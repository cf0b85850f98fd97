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

/// <summary>
/// What Discord is told about a command (name, description, options) and who may run it, with the type of the
/// <see cref="ICommandHandler"/> that answers it. The product declares one beside each handler and hands the list
/// to the adapter (<see cref="DiscordServices.AddDiscord"/>); it drives dispatch, /help and registration.
/// </summary>
public sealed record CommandDescriptor(string Name, string Description, IReadOnlyList<CommandOption> Options, CommandAccess Access, Type Handler)
{
    public static CommandDescriptor For<THandler>(string name, string description, CommandAccess access = CommandAccess.Everyone, params CommandOption[] options)
        where THandler : class, ICommandHandler =>
        new(name, description, options, access, typeof(THandler));
}
