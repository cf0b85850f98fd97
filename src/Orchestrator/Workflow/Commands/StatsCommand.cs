using System.Text;
using Microsoft.Extensions.Options;
using Orchestrator.Discord;
using Orchestrator.Runs;

namespace Orchestrator.Workflow.Commands;

/// <summary>
/// /stats [days] [repo] [size]: the scoreboard (how each executor did over the last days), answered at once from the
/// store, one line per executor (<see cref="ScoreboardViews.Line"/>).
/// </summary>
public sealed class StatsCommand(ScoreboardQuery scoreboard, IOptionsMonitor<WorkflowOptions> options) : ICommandHandler
{
    public const int DefaultDays = 30;
    public const int MaxDays = 365;

    public static CommandDescriptor Descriptor { get; } = CommandDescriptor.For<StatsCommand>(
        "stats",
        "How each agent did: dispatched, pull requests, first-head checks, merged, failed, shipped.",
        CommandAccess.Everyone,
        new CommandOption("days", "How many days back (1-365); 30 by default.", CommandOptionType.Integer),
        new CommandOption("repo", "Repository (owner/name); every repository by default.", CommandOptionType.String, Autocomplete: true),
        new CommandOption("size", "Only issues of this size: S, M or L (the planning model's, else a size label).", CommandOptionType.String));

    public async Task<InteractionResponse> HandleAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var days = DefaultDays;
        if (context.Argument("days") is { } daysText && (!int.TryParse(daysText, out days) || days is < 1 or > MaxDays))
        {
            return InteractionResponse.Message($"`days` must be a whole number from 1 to {MaxDays}.", ephemeral: true);
        }

        IssueSize? size = null;
        if (context.Argument("size") is { } sizeText && (size = Routing.ParseSize(sizeText)) is null)
        {
            return InteractionResponse.Message("`size` must be S, M or L.", ephemeral: true);
        }

        string? repository = null;
        if (context.Argument("repo") is { } asked)
        {
            repository = options.CurrentValue.Find(asked)?.Name;
            if (repository is null)
            {
                return InteractionResponse.Message($"`{Markdown.Escape(asked)}` is not a configured repository.", ephemeral: true);
            }
        }

        var scores = await scoreboard.ScoresAsync(repository, days, size, cancellationToken);
        var title = new StringBuilder("**Scoreboard** — last ").Append(days).Append(days == 1 ? " day" : " days");
        if (repository is not null)
        {
            title.Append(" · ").Append(Markdown.Escape(repository));
        }

        if (size is not null)
        {
            title.Append(" · size ").Append(size);
        }

        var text = scores.Count == 0
            ? title.Append("\nNo task was dispatched in that time, so there is nothing to score yet.").ToString()
            : title.Append('\n').AppendJoin('\n', scores.Select(ScoreboardViews.Line)).ToString();
        return InteractionResponse.Message(Markdown.Truncate(text, DiscordLimits.MessageContent));
    }

    public Task<IReadOnlyList<CommandChoice>> AutocompleteAsync(CommandContext context, string option, string prefix, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<CommandChoice>>(option == "repo"
            ? [.. options.CurrentValue.Repositories.Where(r => r.Name.Contains(prefix, StringComparison.OrdinalIgnoreCase)).Select(r => new CommandChoice(r.Name, r.Name))]
            : []);
}
