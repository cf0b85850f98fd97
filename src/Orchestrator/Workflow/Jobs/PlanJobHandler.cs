using Microsoft.Extensions.Options;
using Orchestrator.Discord;
using Orchestrator.GitHub;
using Orchestrator.Jobs;
using Orchestrator.Runs;
using Orchestrator.Storage;
using Orchestrator.Workflow.Executors;
using Orchestrator.Workflow.Planning;

namespace Orchestrator.Workflow.Jobs;

/// <summary>
/// Makes the plan: reads the ready issues, stores the run, posts the proposal, opens its thread with the
/// status message, and answers the /plan interaction with the run id and the Approve / Reject buttons.
/// Every step is safe to repeat: the run id comes with the job, and each post goes through the ledger.
/// </summary>
public sealed partial class PlanJobHandler(
    IGitHubApi github,
    ThreadMessages messages,
    IDiscordApi discord,
    Effects effects,
    IRunStore runs,
    ExecutorSet executors,
    RoutePlanner routes,
    IOptionsMonitor<WorkflowOptions> options,
    IOptionsMonitor<PlanningOptions> planning,
    IJobQueue jobs,
    TimeProvider time,
    IOptions<JobOptions> jobOptions,
    ILogger<PlanJobHandler> logger) : IJobHandler
{
    private const int AutoArchiveMinutes = 1440;

    /// <summary>How many ready issues and open pull requests a plan reads (one page each) before it filters and orders.</summary>
    private const int MaxCandidates = 100;

    /// <summary>Discord's error code for "a thread has already been created for this message".</summary>
    private const int ThreadAlreadyExists = 160004;

    public string Kind => WorkflowJobs.Plan;

    public async Task HandleAsync(Job job, CancellationToken cancellationToken)
    {
        var plan = WorkflowJobs.Read(job, WorkflowJsonContext.Default.PlanJob);
        var runId = new RunId(plan.RunId);
        var run = await runs.GetAsync(runId, cancellationToken);
        if (run is null)
        {
            PlanChoice choice;
            try
            {
                choice = await ChooseAsync(plan, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && (WorkflowJobs.IsPermanent(ex) || WorkflowJobs.IsLastAttempt(job, jobOptions.Value)))
            {
                await AnswerAsync(plan, job, MessagePayload.Text($"⚠️ I could not read the issues of `{plan.Repository}` from GitHub ({WorkflowJobs.Describe(ex)}). No plan was made; try `/plan` again later."), cancellationToken);
                throw;
            }

            var issues = choice.Planned;
            if (issues.Count == 0)
            {
                var left = choice.Skipped.Count == 0 ? string.Empty : $" ({choice.Skipped.Count} left out: " + string.Join("; ", choice.Skipped.Take(5).Select(i => $"#{i.Number} {Markdown.Escape(i.Reason)}")) + ")";
                await AnswerAsync(plan, job, MessagePayload.Text($"Nothing is ready: no open issue in `{plan.Repository}` has the label `{Markdown.Escape(plan.Label)}`{left}."), cancellationToken);
                Log.NothingReady(logger, plan.Repository, plan.Label);
                return;
            }

            var now = time.GetUtcNow();
            var repository = options.CurrentValue.Find(plan.Repository) ?? new RepositoryOptions { Name = plan.Repository };
            var route = await routes.ForAsync(repository, cancellationToken);
            run = await CreateOnceAsync(
                new Run(
                    runId,
                    plan.Repository,
                    RunState.Pending,
                    now,
                    now,
                    [.. issues.Select(ToPlanned)],
                    new DiscordLocation(plan.GuildId, plan.ChannelId, null, null, null),
                    [.. issues.Select(i => RouteTask(repository, route, new RunTask(i.Number, TaskState.Queued, Tracking.CorrelationId(runId, i.Number)), ToPlanned(i)))],
                    Version: 0,
                    RequestedBy: plan.RequestedBy,
                    Skipped: choice.Skipped,
                    Advice: planning.CurrentValue.IsEnabled ? PlanAdvice.Pending : null),
                cancellationToken);
        }

        var pages = RunViews.PlanPages(run);
        var channel = plan.ChannelId;
        var planMessage = await messages.PostOnceAsync($"run:{run.Id}:plan", channel, pages[0], cancellationToken);

        // A thread started from a message has the message's id, which makes this step reconcilable by itself.
        var thread = await effects.OnceAsync(
            $"run:{run.Id}:thread",
            _ => Task.FromResult<string?>(null),
            async ct =>
            {
                try
                {
                    return (await discord.StartThreadFromMessageAsync(channel, planMessage, RunViews.ThreadName(DateOnly.FromDateTime(run.CreatedAt.UtcDateTime)), AutoArchiveMinutes, ct)).Id;
                }
                catch (DiscordApiException ex) when (ex.Code == ThreadAlreadyExists)
                {
                    return planMessage;
                }
            },
            cancellationToken);

        for (var page = 1; page < pages.Count; page++)
        {
            await messages.PostOnceAsync($"run:{run.Id}:plan:{page}", thread, pages[page], cancellationToken);
        }

        var status = await messages.PostOnceAsync($"run:{run.Id}:status", thread, RunViews.Status(run), cancellationToken);
        run = await runs.UpdateWithRetryAsync(
            run.Id,
            current => current.Discord is { ThreadId: not null, StatusMessageId: not null }
                ? null
                : current with { Discord = new DiscordLocation(plan.GuildId, channel, thread, planMessage, status) },
            cancellationToken);

        if (plan.Interaction is { } interaction && interaction.IsUsable(time.GetUtcNow()))
        {
            await discord.EditOriginalInteractionResponseAsync(interaction.ApplicationId, interaction.Token, RunViews.PlanReady(run, withButtons: run.State == RunState.Pending), cancellationToken);
        }
        else
        {
            await messages.PostOnceAsync($"run:{run.Id}:ready", thread, RunViews.PlanReady(run, withButtons: run.State == RunState.Pending), cancellationToken);
        }

        if (run.Advice is { State: AdviceState.Pending })
        {
            // The model is asked after the proposal is out, so /plan never waits on it.
            await jobs.EnqueueAsync(WorkflowJobs.For(WorkflowJobs.EnrichPlan, $"enrich:{run.Id}", new RunJob(run.Id.Value), WorkflowJsonContext.Default.RunJob), cancellationToken);
        }

        Log.Planned(logger, run.Id.Value, run.Repository, run.Plan.Count);
    }

    /// <summary>Reads the ready issues and the open pull requests and applies <see cref="PlanSelection"/>.</summary>
    private async Task<PlanChoice> ChooseAsync(PlanJob plan, CancellationToken cancellationToken)
    {
        var repository = options.CurrentValue.Find(plan.Repository) ?? new RepositoryOptions { Name = plan.Repository };
        var ready = await github.ListIssuesWithLabelAsync(plan.Repository, plan.Label, MaxCandidates, cancellationToken);
        if (ready.Count == 0)
        {
            return new PlanChoice([], []);
        }

        var pulls = await github.ListOpenPullRequestsAsync(plan.Repository, MaxCandidates, cancellationToken);
        var outside = new HashSet<int>();
        foreach (var dependency in ready.SelectMany(i => PlanSelection.DependsOn(i.Body)).Distinct().Where(d => ready.All(i => i.Number != d)))
        {
            if (await github.GetIssueAsync(plan.Repository, dependency, cancellationToken) is { State: "open" })
            {
                outside.Add(dependency);
            }
        }

        return PlanSelection.Choose(
            ready,
            pulls,
            repository,
            executors.AgentLogins(repository),
            (branch, issue) => executors.BranchOwner(repository, branch, issue) is not null,
            outside,
            plan.Limit);
    }

    private static PlannedIssue ToPlanned(GitHubIssue issue) => new(issue.Number, issue.Title, issue.HtmlUrl.ToString(), issue.Labels);

    /// <summary>The task with its executor; the route is shown (and may be changed) only when the repository names several executors.</summary>
    private static RunTask RouteTask(RepositoryOptions repository, Func<PlannedIssue, IssueAdvice?, Route> route, RunTask task, PlannedIssue issue)
    {
        var chosen = route(issue, null);
        return task with { Executor = chosen.Executor, RoutedBy = repository.Executors.Count > 1 ? chosen.Reason : null };
    }

    private async Task<Run> CreateOnceAsync(Run run, CancellationToken cancellationToken)
    {
        try
        {
            return await runs.CreateAsync(run, cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            // An earlier attempt created it before it crashed.
            return await runs.GetAsync(run.Id, cancellationToken) ?? throw new InvalidOperationException($"Run {run.Id} vanished.");
        }
    }

    /// <summary>Answers the /plan interaction while its token is valid, else posts in the channel.</summary>
    private async Task AnswerAsync(PlanJob plan, Job job, MessagePayload payload, CancellationToken cancellationToken)
    {
        if (plan.Interaction is { } interaction && interaction.IsUsable(time.GetUtcNow()))
        {
            await discord.EditOriginalInteractionResponseAsync(interaction.ApplicationId, interaction.Token, payload, cancellationToken);
        }
        else
        {
            await messages.PostOnceAsync($"plan:{job.Id}:answer", plan.ChannelId, payload, cancellationToken);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 420, Level = LogLevel.Information, Message = "Plan {RunId} for {Repository} posted with {Count} issue(s)")]
        public static partial void Planned(ILogger logger, string runId, string repository, int count);

        [LoggerMessage(EventId = 421, Level = LogLevel.Information, Message = "Nothing ready in {Repository} with label {Label}")]
        public static partial void NothingReady(ILogger logger, string repository, string label);
    }
}
