using System.Globalization;
using Microsoft.Extensions.Options;
using Orchestrator.GitHub;
using Orchestrator.Jobs;
using Orchestrator.Runs;
using Orchestrator.Storage;

namespace Orchestrator.Workflow.Jobs;

/// <summary>
/// Hands each queued task of an approved run to the repository's executor. Each dispatch is an effect with
/// a key per task attempt; its reconciliation looks for the mark the dispatch leaves on GitHub (the
/// correlation id in a workflow run name, the assignee, the hidden marker in a comment, the label), so a
/// retry after a crash never dispatches twice.
/// </summary>
public sealed partial class DispatchJobHandler(
    IGitHubApi github,
    Effects effects,
    RunUpdates updates,
    IRunStore runs,
    IOptionsMonitor<WorkflowOptions> options,
    IOptions<JobOptions> jobOptions,
    TimeProvider time,
    ILogger<DispatchJobHandler> logger) : IJobHandler
{
    /// <summary>How far GitHub's clock may be from ours when comparing a run's creation with our records.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

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
                    var result = await updates.ChangeTaskAsync(run.Id, task.IssueNumber, (_, t) => t with { State = TaskState.Failed, LastError = reason }, cancellationToken);
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
            await updates.NotifyAsync(current, $"dispatched:{job.Id}:{job.Attempts}", $"📤 Dispatched {dispatched} task(s) ({repository.Executor.Kind.ToString().ToLowerInvariant()}).", cancellationToken);
        }

        if (retry is not null)
        {
            // The job runs again with backoff; tasks already dispatched are no longer queued and are skipped.
            throw new InvalidOperationException("Some tasks could not be dispatched yet; retrying.", retry);
        }
    }

    private Task<string> DispatchAsync(Run run, RunTask task, RepositoryOptions repository, CancellationToken cancellationToken)
    {
        var key = $"dispatch:{run.Id}:{task.IssueNumber}:{task.Attempts}";
        var executor = repository.Executor;
        var issue = task.IssueNumber;
        return executor.Kind switch
        {
            ExecutorKind.Workflow => effects.OnceAsync(
                key,
                (intent, ct) => FindDispatchedRunAsync(run, task, executor.Workflow!, intent, ct),
                async ct =>
                {
                    await github.DispatchWorkflowAsync(
                        run.Repository,
                        executor.Workflow!,
                        executor.Ref,
                        new Dictionary<string, string>
                        {
                            ["issue_number"] = issue.ToString(CultureInfo.InvariantCulture),
                            ["run_id"] = run.Id.Value,
                            ["correlation_id"] = task.CorrelationId,
                        },
                        ct);
                    return "workflow_dispatch";
                },
                cancellationToken),
            ExecutorKind.Assign => effects.OnceAsync(
                key,
                async ct => (await github.GetIssueAsync(run.Repository, issue, ct))?.Assignees.Contains(executor.Assignee!, StringComparer.OrdinalIgnoreCase) == true,
                ct => github.AddAssigneesAsync(run.Repository, issue, [executor.Assignee!], ct),
                cancellationToken),
            ExecutorKind.Comment => effects.OnceAsync(
                key,
                async ct => (await github.ListCommentsAsync(run.Repository, issue, ct)).Any(c => c.Body.Contains(Marker(key), StringComparison.Ordinal)),
                ct => github.CreateCommentAsync(run.Repository, issue, TriggerComment(executor, run, task, key), ct),
                cancellationToken),
            ExecutorKind.Label => effects.OnceAsync(
                key,
                async ct => (await github.GetIssueAsync(run.Repository, issue, ct))?.Labels.Contains(executor.Label!, StringComparer.OrdinalIgnoreCase) == true,
                ct => github.AddLabelsAsync(run.Repository, issue, [executor.Label!], ct),
                cancellationToken),
            _ => throw new PermanentJobFailureException($"Unknown executor {executor.Kind}."),
        };
    }

    /// <summary>
    /// The workflow run this attempt's dispatch created, if GitHub created one. A retried task keeps its
    /// correlation id, so the runs of its earlier attempts match it too: only a run created after this attempt's
    /// intent was recorded (less the clock skew) counts, and never the run the task already followed.
    /// </summary>
    private async Task<string?> FindDispatchedRunAsync(Run run, RunTask task, string workflow, EffectRecord intent, CancellationToken cancellationToken)
    {
        var found = await github.FindWorkflowRunAsync(run.Repository, workflow, task.CorrelationId, intent.StartedAt - ClockSkew, cancellationToken);
        var id = found?.Id.ToString(CultureInfo.InvariantCulture);
        return id is null || id == task.DispatchId ? null : id;
    }

    /// <summary>A hidden marker in a comment body: invisible on GitHub, findable when reconciling.</summary>
    public static string Marker(string effectKey) => $"<!-- orchestrator:{effectKey} -->";

    private static string TriggerComment(ExecutorOptions executor, Run run, RunTask task, string key) =>
        executor.Comment!
            .Replace("{issue}", task.IssueNumber.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{run}", run.Id.Value, StringComparison.Ordinal)
            .Replace("{correlation}", task.CorrelationId, StringComparison.Ordinal)
        + "\n\n" + Marker(key);


    private async Task FailRunAsync(Run run, string reason, CancellationToken cancellationToken)
    {
        var failed = await runs.UpdateWithRetryAsync(run.Id, current => Run.IsActive(current.State) ? current with { State = RunState.Failed, Reason = reason } : null, cancellationToken);
        await updates.NotifyAsync(failed, "failed", "❌ " + reason, cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 430, Level = LogLevel.Warning, Message = "Dispatching issue {Issue} of run {RunId} failed")]
        public static partial void DispatchFailed(ILogger logger, Exception exception, string runId, int issue);
    }
}
