namespace Orchestrator.Discord;

/// <summary>Every slash command the service offers. One list: dispatch, /help and Discord registration all read it.</summary>
public static class CommandTable
{
    public static readonly IReadOnlyList<SlashCommand> All =
    [
        SlashCommand.For<HelpCommand>("help", "List the commands and who may use them."),
    ];

    public static SlashCommand? Find(string? name) =>
        All.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal));
}
