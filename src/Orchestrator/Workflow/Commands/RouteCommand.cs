using System.Globalization;
using Microsoft.Extensions.Options;
using Orchestrator.Discord;
using Orchestrator.Runs;
using Orchestrator.Storage;

namespace Orchestrator.Workflow.Commands;

/// <summary>
/// /route issue agent [run] and the plan's "Change an issue's agent…" menu: before approval, sends one issue of a
/// pending plan to another of the repository's executors. Privileged and audited; the plan is redrawn with
/// "changed by …", and a later size or score never overrides the person's choice. The menu lists the issues; choosing
/// one answers (to the approver only) with a menu of the executors.
/// </summary>
public sealed class RouteCommand(RunCommandSupport support, IRunStore runs, IJobQueue jobs, IOptionsMonitor<WorkflowOptions> options) : ICommandHandler
{
    public static CommandDescriptor Descriptor { get; } = CommandDescriptor.For<RouteCommand>(
        "route",
        "Send an issue of a pending plan to another agent before approving it.",
        CommandAccess.Privileged,
        new CommandOption("issue", "Issue number of the task.", CommandOptionType.Integer, Required: true),
        new CommandOption("agent", "The executor's name (as the plan shows it).", CommandOptionType.String, Autocomplete: true),
        RunCommandSupport.RunOption);

    public async Task<InteractionResponse> HandleAsync(CommandContext context, CancellationToken cancellationToken)
    {
        // The plan's menu carries the issue as its value; the executors' menu carries the issue in its id and the agent as value.
        var fromIssueMenu = context.Argument("issue") is null;
        var issueText = fromIssueMenu ? context.Argument("value") : context.Argument("issue");
        var agent = fromIssueMenu ? null : context.Argument("agent") ?? context.Argument("value");
        if (!int.TryParse(issueText?.TrimStart('#'), NumberStyles.Integer, CultureInfo.InvariantCulture, out var issue))
        {
            return InteractionResponse.Message("Name the issue to route, e.g. `/route issue:12 agent:claude`.", ephemeral: true);
        }

        var (run, refusal) = await support.ResolveForAsync(
            context,
            "route",
            r => r.State != RunState.Pending ? $"Run `{r.Id}` is {RunViews.StateName(r.State)}; an issue's agent can be changed only before the plan is approved."
                : r.Task(issue) is null ? $"#{issue.ToString(CultureInfo.InvariantCulture)} is not part of run `{r.Id}`."
                : null,
            cancellationToken);
        if (run is null)
        {
            return refusal!;
        }

        var repository = options.CurrentValue.Find(run.Repository) ?? new RepositoryOptions { Name = run.Repository };
        var names = repository.AllExecutors().Select(e => e.EffectiveName).ToList();
        var current = repository.ExecutorOf(run.Task(issue)!).EffectiveName;
        if (agent is null)
        {
            return InteractionResponse.Message(RunViews.RouteChoices(run, issue, names, current));
        }

        if (repository.FindExecutor(agent) is not { } executor)
        {
            return await support.RefuseAsync(context, "route", run, $"`{Markdown.Escape(agent)}` is not an executor of `{run.Repository}`; choose one of {string.Join(", ", names.Select(n => $"`{Markdown.Escape(n)}`"))}.", cancellationToken);
        }

        var by = Routing.ChangedBy(context.Actor.DisplayName);
        var changed = await runs.UpdateWithRetryAsync(
            run.Id,
            r => r.State == RunState.Pending && r.Task(issue) is { } task
                ? r.WithTask(task with { Executor = executor.EffectiveName, RoutedBy = by })
                : null,
            cancellationToken);
        if (changed.State != RunState.Pending)
        {
            return await support.RefuseAsync(context, "route", run, $"Run `{run.Id}` changed meanwhile; it is now {RunViews.StateName(changed.State)}.", cancellationToken);
        }

        var number = issue.ToString(CultureInfo.InvariantCulture);
        await support.AuditAsync(context, "route", changed, AuditOutcome.Succeeded, $"#{number} {current} → {executor.EffectiveName}", cancellationToken);

        // The proposal is redrawn by a job (its pages are edited in place), so the answer stays within Discord's 3 seconds.
        await jobs.EnqueueAsync(
            WorkflowJobs.For(WorkflowJobs.EnrichPlan, $"enrich:{run.Id}:route:{context.Interaction.Id}", new RunJob(run.Id.Value, RedrawOnly: true), WorkflowJsonContext.Default.RunJob),
            cancellationToken);
        return RunCommandSupport.Answer(context, $"🔀 #{number} goes to **{Markdown.Escape(executor.EffectiveName)}** now (was {Markdown.Escape(current)}), changed by {Markdown.Escape(context.Actor.DisplayName)}.");
    }

    public async Task<IReadOnlyList<CommandChoice>> AutocompleteAsync(CommandContext context, string option, string prefix, CancellationToken cancellationToken)
    {
        if (option != "agent")
        {
            return [];
        }

        var (run, _) = await support.ResolveAsync(context, cancellationToken);
        var repositories = run is null ? options.CurrentValue.Repositories : [.. options.CurrentValue.Repositories.Where(r => string.Equals(r.Name, run.Repository, StringComparison.OrdinalIgnoreCase))];
        return
        [
            .. repositories.SelectMany(r => r.AllExecutors()).Select(e => e.EffectiveName)
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .Where(n => n.Contains(prefix, StringComparison.OrdinalIgnoreCase))
                .Select(n => new CommandChoice(n, n)),
        ];
    }
}
