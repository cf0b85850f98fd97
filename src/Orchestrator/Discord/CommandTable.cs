using Orchestrator.Workflow.Commands;

namespace Orchestrator.Discord;

/// <summary>Every slash command the service offers. One list: dispatch, access, /help and Discord registration all read it.</summary>
public static class CommandTable
{
    private static readonly CommandOption RunOption = new("run", "Run id; defaults to this thread's run or the only active run.", CommandOptionType.String);

    public static readonly IReadOnlyList<SlashCommand> All =
    [
        SlashCommand.For<PlanCommand>(
            "plan",
            "Draft today's plan from issues labelled `ready`.",
            CommandAccess.Everyone,
            new CommandOption("repo", "Repository (owner/name); defaults to the only configured one.", CommandOptionType.String, Autocomplete: true),
            new CommandOption("label", "Label that marks issues ready; defaults to the repository's.", CommandOptionType.String),
            new CommandOption("limit", "Most issues to plan (1-100).", CommandOptionType.Integer)),
        SlashCommand.For<ApproveCommand>("approve", "Approve a plan and dispatch its work.", CommandAccess.Privileged, RunOption),
        SlashCommand.For<RejectCommand>(
            "reject",
            "Reject a plan; nothing is dispatched.",
            CommandAccess.Privileged,
            RunOption,
            new CommandOption("reason", "Why, for the thread and the audit log.", CommandOptionType.String)),
        SlashCommand.For<StatusCommand>("status", "Show active runs (or one run) and the latest deploys.", CommandAccess.Everyone, RunOption),
        SlashCommand.For<ShipCommand>(
            "ship",
            "Deploy a run whose tasks are all merged with green checks.",
            CommandAccess.Privileged,
            RunOption,
            new CommandOption("force", "Admins only: ship anyway, giving the reason (audited).", CommandOptionType.String)),
        SlashCommand.For<HoldCommand>(
            "hold",
            "Pause dispatching and shipping of a run, or lift the hold.",
            CommandAccess.Privileged,
            RunOption,
            new CommandOption("release", "True to lift the hold.", CommandOptionType.Boolean)),
        SlashCommand.For<CancelCommand>(
            "cancel",
            "Cancel an active run.",
            CommandAccess.Privileged,
            RunOption,
            new CommandOption("reason", "Why, for the thread and the audit log.", CommandOptionType.String)),
        SlashCommand.For<RetryCommand>(
            "retry",
            "Dispatch a failed task of a run again.",
            CommandAccess.Privileged,
            new CommandOption("issue", "Issue number of the task.", CommandOptionType.Integer, Required: true),
            RunOption),
        SlashCommand.For<HelpCommand>("help", "List the commands and who may use them."),
    ];

    public static SlashCommand? Find(string? name) =>
        All.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal));
}
