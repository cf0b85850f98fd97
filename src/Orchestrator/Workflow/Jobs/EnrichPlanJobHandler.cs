using Orchestrator.Discord;
using Orchestrator.GitHub;
using Orchestrator.Jobs;
using Orchestrator.Runs;
using Orchestrator.Storage;
using Orchestrator.Workflow.Planning;

namespace Orchestrator.Workflow.Jobs;

/// <summary>
/// Asks the planning model about a posted plan, stores its advice (or the one-line reason it is not used), routes
/// again the issues its sizes may route, and edits the proposal in place. /plan never waits for this: the proposal
/// was posted deterministic. The model is asked once per run; a retry after a crash, or a later job of this kind
/// (a changed route), only redraws the proposal.
/// </summary>
public sealed partial class EnrichPlanJobHandler(
    IGitHubApi github,
    Microsoft.Extensions.Options.IOptionsMonitor<WorkflowOptions> options,
    RoutePlanner routes,
    PlanningModel model,
    IRunStore runs,
    IDiscordApi discord,
    ThreadMessages messages,
    ILogger<EnrichPlanJobHandler> logger) : IJobHandler
{
    public string Kind => WorkflowJobs.EnrichPlan;

    public async Task HandleAsync(Job job, CancellationToken cancellationToken)
    {
        var request = WorkflowJobs.Read(job, WorkflowJsonContext.Default.RunJob);
        var runId = new RunId(request.RunId);
        var run = await runs.GetAsync(runId, cancellationToken);
        if (run is null || run.Discord is not { PlanMessageId: { } planMessage, ThreadId: { } thread } location)
        {
            return;
        }

        // A redraw (a changed route) never asks the model: the job that does is already queued or running.
        if (run.Advice is { State: AdviceState.Pending } && !request.RedrawOnly)
        {
            var advice = run.State == RunState.Pending
                ? await model.AdviseAsync(run.Repository, await InputsAsync(run, cancellationToken), cancellationToken)
                : PlanAdvice.Fallback("the plan was decided before the planning model answered");
            var repository = options.CurrentValue.Find(run.Repository);
            var route = repository is { Executors.Count: > 1 } ? await routes.ForAsync(repository, cancellationToken) : null;
            run = await runs.UpdateWithRetryAsync(
                run.Id,
                current => current.Advice is { State: AdviceState.Pending } ? Reroute(current with { Advice = advice }, route) : null,
                cancellationToken);
            Log.Advised(logger, run.Id.Value, run.Advice!.State);
        }

        var pages = RunViews.PlanPages(run);
        await discord.EditMessageAsync(location.ChannelId, planMessage, pages[0], cancellationToken);
        for (var page = 1; page < pages.Count; page++)
        {
            // A page posted with the proposal is found by its ledger entry and edited; a page the advice added is posted.
            var id = await messages.PostOnceAsync($"run:{run.Id}:plan:{page}", thread, pages[page], cancellationToken);
            await discord.EditMessageAsync(thread, id, pages[page], cancellationToken);
        }
    }

    /// <summary>
    /// With the model's sizes known, a pending plan's issues that no label or person routed are routed again (a size
    /// rule may now apply). The model names no executor: only the repository's rules choose one.
    /// </summary>
    private static Run Reroute(Run run, Func<PlannedIssue, IssueAdvice?, Route>? route)
    {
        if (run.State != RunState.Pending || route is null)
        {
            return run;
        }

        foreach (var issue in run.Plan)
        {
            if (run.Task(issue.Number) is { } task && !Routing.IsFixed(task))
            {
                var chosen = route(issue, run.Advice?.For(issue.Number));
                run = run.WithTask(task with { Executor = chosen.Executor, RoutedBy = chosen.Reason });
            }
        }

        return run;
    }

    /// <summary>Each planned issue's current title, labels and body from GitHub (what the model sees), cut to the budget.</summary>
    private async Task<IReadOnlyList<PlanningInput>> InputsAsync(Run run, CancellationToken cancellationToken)
    {
        var issues = new List<(int, string, IReadOnlyList<string>, string?)>();
        foreach (var planned in run.Plan)
        {
            var issue = await github.GetIssueAsync(run.Repository, planned.Number, cancellationToken);
            issues.Add((planned.Number, issue?.Title ?? planned.Title, issue?.Labels ?? planned.Labels, issue?.Body));
        }

        return model.Inputs(issues);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1502, Level = LogLevel.Information, Message = "Plan {RunId} advice: {State}")]
        public static partial void Advised(ILogger logger, string runId, AdviceState state);
    }
}
