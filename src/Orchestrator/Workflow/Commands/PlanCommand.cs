using Microsoft.Extensions.Options;
using Orchestrator.Discord;
using Orchestrator.GitHub;
using Orchestrator.Runs;
using Orchestrator.Storage;

namespace Orchestrator.Workflow.Commands;

/// <summary>/plan [repo] [label] [limit]: answers "thinking…" at once; the plan job fetches issues and posts the plan.</summary>
public sealed partial class PlanCommand(
    RunCommandSupport support,
    IJobQueue jobs,
    TimeProvider time,
    IOptionsMonitor<WorkflowOptions> options,
    IOptionsMonitor<GitHubOptions> gitHub,
    IOptionsMonitor<DiscordOptions> discord,
    ILogger<PlanCommand> logger) : ICommandHandler
{
    public static CommandDescriptor Descriptor { get; } = CommandDescriptor.For<PlanCommand>(
        "plan",
        "Draft today's plan from issues labelled `ready`.",
        CommandAccess.Everyone,
        new CommandOption("repo", "Repository (owner/name); defaults to the only configured one.", CommandOptionType.String, Autocomplete: true),
        new CommandOption("label", "Label that marks issues ready; defaults to the repository's.", CommandOptionType.String),
        new CommandOption("limit", "Most issues to plan (1-100).", CommandOptionType.Integer));

    public async Task<InteractionResponse> HandleAsync(CommandContext context, CancellationToken cancellationToken)
    {
        // A plan needs GitHub to read the issues and Discord's bot to post it: say so now rather than fail in the job.
        if (!gitHub.CurrentValue.HasApiCredentials)
        {
            return InteractionResponse.Message($"I cannot read issues: GitHub is not configured. An operator must set `{GitHubOptions.Section}:Token` (or `AppId` and `AppPrivateKey`); `doctor` checks the setup.", ephemeral: true);
        }

        if (string.IsNullOrWhiteSpace(discord.CurrentValue.BotToken) || string.IsNullOrWhiteSpace(discord.CurrentValue.ApplicationId))
        {
            return InteractionResponse.Message($"I cannot post a plan: the bot is not configured. An operator must set `{DiscordOptions.Section}:BotToken` and `{DiscordOptions.Section}:ApplicationId`; `doctor` checks the setup.", ephemeral: true);
        }

        var configured = options.CurrentValue;
        var repository = configured.Find(context.Argument("repo"));
        if (repository is null)
        {
            var names = configured.Repositories.Count == 0
                ? "none is configured (`Orchestrator:Repositories`)"
                : string.Join(", ", configured.Repositories.Select(r => $"`{r.Name}`"));
            return InteractionResponse.Message(
                context.Argument("repo") is { } asked
                    ? $"`{Markdown.Escape(asked)}` is not a configured repository. Configured: {names}."
                    : $"Which repository? Name one with the `repo` option. Configured: {names}.",
                ephemeral: true);
        }

        var limit = repository.Limit;
        if (context.Argument("limit") is { } limitText && (!int.TryParse(limitText, out limit) || limit is < 1 or > 100))
        {
            return InteractionResponse.Message("`limit` must be a whole number from 1 to 100.", ephemeral: true);
        }

        var interaction = context.Interaction;
        var runId = RunId.New(time);
        Telemetry.OrchestratorTracing.Tag("run.id", runId.Value);
        var job = new PlanJob(
            runId.Value,
            repository.Name,
            context.Argument("label") ?? repository.Label,
            limit,
            interaction.ChannelId!,
            interaction.GuildId,
            RunCommandSupport.ActorId(context),
            new InteractionHandle { ApplicationId = interaction.ApplicationId!, Token = interaction.Token!, ReceivedAt = time.GetUtcNow() });
        await jobs.EnqueueAsync(
            WorkflowJobs.For(WorkflowJobs.Plan, "plan:" + interaction.Id, job, WorkflowJsonContext.Default.PlanJob),
            cancellationToken);
        await support.AuditAsync(context, "plan", null, AuditOutcome.Succeeded, $"{repository.Name} label {job.Label} limit {limit} → run {runId}", cancellationToken);
        Log.PlanRequested(logger, runId.Value, repository.Name);

        // Answer within Discord's 3 seconds; the plan job edits this response when the plan is posted.
        return InteractionResponse.Deferred();
    }

    public Task<IReadOnlyList<CommandChoice>> AutocompleteAsync(CommandContext context, string option, string prefix, CancellationToken cancellationToken)
    {
        IReadOnlyList<CommandChoice> choices = option == "repo"
            ? [.. options.CurrentValue.Repositories
                .Where(r => r.Name.Contains(prefix, StringComparison.OrdinalIgnoreCase))
                .Select(r => new CommandChoice(r.Name, r.Name))]
            : [];
        return Task.FromResult(choices);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Plan {RunId} requested for {Repository}")]
        public static partial void PlanRequested(ILogger logger, string runId, string repository);
    }
}
