using Microsoft.Extensions.Options;
using Orchestrator.Discord;
using Orchestrator.Jobs;
using Orchestrator.Runs;
using Orchestrator.Storage;
using Orchestrator.Workflow.Executors;
using Orchestrator.Workflow.Planning;

namespace Orchestrator.Workflow.Jobs;

/// <summary>
/// Hands each queued task of an approved run to its executor (the route the plan chose) (<see cref="IExecutor"/>). Each dispatch
/// is an effect with a key per task attempt; its reconciliation looks for the mark the dispatch leaves on GitHub
/// (the correlation id in a workflow run name, the assignee, the hidden marker in a comment, the label), so a
/// retry after a crash never dispatches twice.
/// </summary>
public sealed partial class DispatchJobHandler(
    ExecutorSet executors,
    RunUpdates updates,
    IRunStore runs,
    IOptionsMonitor<WorkflowOptions> options,
    IOptionsMonitor<PlanningOptions> planning,
    IOptions<JobOptions> jobOptions,
    TimeProvider time,
    ILogger<DispatchJobHandler> logger) : IJobHandler
{
    public string Kind => WorkflowJobs.Dispatch;

    public async Task HandleAsync(Job job, CancellationToken cancellationToken)
    {
        var runId = new RunId(WorkflowJobs.Read(job, WorkflowJsonContext.Default.RunJob).RunId);
        var run = await runs.UpdateWithRetryAsync(
            runId,
            current => current.State == RunState.Approved ? current with { State = RunState.InProgress } : null,
            cancellationToken);
        if (run.State != RunState.InProgress || run.OnHold)
        {
            return;
        }

        var repository = options.CurrentValue.Find(run.Repository);
        if (repository is null)
        {
            await FailRunAsync(run, $"`{run.Repository}` is no longer a configured repository, so its tasks cannot be dispatched.", cancellationToken);
            return;
        }

        var dispatched = 0;
        Exception? retry = null;
        foreach (var task in run.Tasks.Where(t => t.State == TaskState.Queued))
        {
            if (Unclear(run, task) is { } question)
            {
                await HoldAsync(run, task, question, cancellationToken);
                continue;
            }

            try
            {
                var dispatchId = await DispatchAsync(run, task, repository, cancellationToken);
                await updates.ChangeTaskAsync(
                    run.Id,
                    task.IssueNumber,
                    (_, t) => t.State == TaskState.Queued ? t with { State = TaskState.Dispatched, DispatchId = dispatchId, DispatchedAt = time.GetUtcNow(), LastError = null } : t,
                    cancellationToken);
                dispatched++;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.DispatchFailed(logger, ex, run.Id.Value, task.IssueNumber);
                if (WorkflowJobs.IsPermanent(ex) || WorkflowJobs.IsLastAttempt(job, jobOptions.Value))
                {
                    var reason = $"Dispatch failed: {WorkflowJobs.Describe(ex)}";
                    var result = await updates.ChangeTaskAsync(run.Id, task.IssueNumber, (_, t) => t with { State = TaskState.Failed, Failure = TaskFailure.Dispatch, LastError = reason }, cancellationToken);
                    if (result is { } failed)
                    {
                        await updates.NotifyAsync(failed.After, $"dispatch-failed:{task.IssueNumber}:{task.Attempts}", $"❌ #{task.IssueNumber} could not be dispatched: {reason}. Use `/retry issue:{task.IssueNumber}` once it is fixed.", cancellationToken);
                    }
                }
                else
                {
                    await updates.ChangeTaskAsync(run.Id, task.IssueNumber, (_, t) => t with { LastError = WorkflowJobs.Describe(ex) }, cancellationToken);
                    retry ??= ex;
                    if (ex is IRetryHint hint && hint.RetryDelay(time.GetUtcNow()) is not null)
                    {
                        // Rate limited: GitHub would refuse the other tasks too. The job comes back when the limit lifts.
                        break;
                    }
                }
            }
        }

        if (dispatched > 0)
        {
            var current = await runs.GetAsync(run.Id, cancellationToken) ?? run;
            var agents = string.Join(", ", current.Tasks.Where(t => t.DispatchedAt is not null).GroupBy(t => repository.ExecutorOf(t).EffectiveName).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"));
            await updates.NotifyAsync(current, $"dispatched:{job.Id}:{job.Attempts}", $"📤 Dispatched {dispatched} task(s) ({Markdown.Escape(agents)}).", cancellationToken);
        }

        if (retry is not null)
        {
            // The job runs again with backoff; tasks already dispatched are no longer queued and are skipped.
            throw new InvalidOperationException("Some tasks could not be dispatched yet; retrying.", retry);
        }
    }

    /// <summary>
    /// The planning model's question when it judged the issue needs clarification, this is the task's first dispatch
    /// (a /retry is the approver's decision to go ahead) and DispatchUnclear is off; else null.
    /// </summary>
    private string? Unclear(Run run, RunTask task) =>
        !planning.CurrentValue.DispatchUnclear && task.Attempts == 0 && run.Advice?.For(task.IssueNumber) is { Ready: false, Question: { } question }
            ? question
            : null;

    /// <summary>Holds an unclear task back (failed with its reason, so /retry can dispatch it) and offers Ask on GitHub.</summary>
    private async Task HoldAsync(Run run, RunTask task, string question, CancellationToken cancellationToken)
    {
        var result = await updates.ChangeTaskAsync(
            run.Id,
            task.IssueNumber,
            (_, t) => t.State == TaskState.Queued ? t with { State = TaskState.Failed, Failure = TaskFailure.Unclear, LastError = "not dispatched: needs clarification" } : t,
            cancellationToken);
        if (result is { } held)
        {
            Log.Held(logger, run.Id.Value, task.IssueNumber);
            await updates.NotifyAsync(held.After, $"unclear:{task.IssueNumber}", RunViews.UnclearNotice(task.IssueNumber, question), cancellationToken, askIssue: task.IssueNumber);
        }
    }

    /// <summary>Starts the task's own executor (its route; the repository's default for a task made before routing).</summary>
    private Task<string> DispatchAsync(Run run, RunTask task, RepositoryOptions repository, CancellationToken cancellationToken)
    {
        var executor = repository.ExecutorOf(task);
        return executors.For(executor.Kind).StartAsync(new ExecutorStart(run, task, repository, executor, $"dispatch:{run.Id}:{task.IssueNumber}:{task.Attempts}"), cancellationToken);
    }

    private async Task FailRunAsync(Run run, string reason, CancellationToken cancellationToken)
    {
        var failed = await runs.UpdateWithRetryAsync(run.Id, current => Run.IsActive(current.State) ? current with { State = RunState.Failed, Reason = reason } : null, cancellationToken);
        await updates.NotifyAsync(failed, "failed", "❌ " + reason, cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 430, Level = LogLevel.Warning, Message = "Dispatching issue {Issue} of run {RunId} failed")]
        public static partial void DispatchFailed(ILogger logger, Exception exception, string runId, int issue);

        [LoggerMessage(EventId = 1503, Level = LogLevel.Information, Message = "Issue {Issue} of run {RunId} held back: the planning model says it needs clarification")]
        public static partial void Held(ILogger logger, string runId, int issue);
    }
}
