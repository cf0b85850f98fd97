using System.Text;
using Orchestrator.Discord;

namespace Orchestrator.Workflow.Commands;

/// <summary>/help: generated from <see cref="CommandTable"/>, so it cannot drift from what is registered.</summary>
public sealed class HelpCommand : ICommandHandler
{
    public static CommandDescriptor Descriptor { get; } = CommandDescriptor.For<HelpCommand>("help", "List the commands and who may use them.");

    public Task<InteractionResponse> HandleAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var text = new StringBuilder("**Orchestrator commands**\n");
        foreach (var command in CommandTable.All)
        {
            text.Append("`/").Append(command.Name);
            foreach (var option in command.Options)
            {
                text.Append(option.Required ? " <" : " [").Append(option.Name).Append(option.Required ? '>' : ']');
            }

            text.Append("` — ").Append(command.Description);
            if (command.Access == CommandAccess.Privileged)
            {
                text.Append(" *(approvers only)*");
            }

            text.Append('\n');
        }

        return Task.FromResult(InteractionResponse.Message(text.ToString().TrimEnd(), ephemeral: true));
    }
}
