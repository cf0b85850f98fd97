namespace Orchestrator.Discord;

/// <summary>The commands the product registered with the adapter (<see cref="DiscordServices.AddDiscord"/>).</summary>
public sealed class CommandCatalog(IReadOnlyList<CommandDescriptor> commands)
{
    public IReadOnlyList<CommandDescriptor> All { get; } = commands;

    public CommandDescriptor? Find(string? name) =>
        All.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal));
}
