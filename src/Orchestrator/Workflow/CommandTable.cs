using Orchestrator.Discord;
using Orchestrator.Workflow.Commands;

namespace Orchestrator.Workflow;

/// <summary>
/// Every slash command the service offers, in the order /help lists them. Each command describes itself beside its
/// handler (<c>Descriptor</c>); this one list drives dispatch, access, /help and Discord registration.
/// </summary>
public static class CommandTable
{
    public static readonly IReadOnlyList<CommandDescriptor> All =
    [
        PlanCommand.Descriptor,
        ApproveCommand.Descriptor,
        RouteCommand.Descriptor,
        RejectCommand.Descriptor,
        StatusCommand.Descriptor,
        StatsCommand.Descriptor,
        ShipCommand.Descriptor,
        HoldCommand.Descriptor,
        CancelCommand.Descriptor,
        RetryCommand.Descriptor,
        ApproveCiCommand.Descriptor,
        AskCommand.Descriptor,
        HelpCommand.Descriptor,
    ];

    public static CommandDescriptor? Find(string? name) =>
        All.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal));
}
