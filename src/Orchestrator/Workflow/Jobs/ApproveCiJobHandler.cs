using System.Globalization;
using Orchestrator.GitHub;
using Orchestrator.Jobs;
using Orchestrator.Runs;
using Orchestrator.Storage;

namespace Orchestrator.Workflow.Jobs;

/// <summary>
/// Approves the workflow runs of a task's head that wait in <c>action_required</c>
/// (POST /repos/{owner}/{repo}/actions/runs/{id}/approve), each once through the effect ledger, then marks the
/// task's waiting checks pending: the approved runs report again when they finish.
/// </summary>
public sealed partial class ApproveCiJobHandler(IGitHubApi github, Effects effects, RunUpdates updates, IRunStore runs, ILogger<ApproveCiJobHandler> logger) : IJobHandler
{
    public string Kind => WorkflowJobs.ApproveCi;

    public async Task HandleAsync(Job job, CancellationToken cancellationToken)
    {
        var request = WorkflowJobs.Read(job, WorkflowJsonContext.Default.TaskJob);
        var run = await runs.GetAsync(new RunId(request.RunId), cancellationToken);
        if (run?.Task(request.Issue) is not { HeadSha: { } head } task)
        {
            return;
        }

        var waiting = await github.ListRunsAwaitingApprovalAsync(run.Repository, head, cancellationToken);
        foreach (var workflowRun in waiting)
        {
            await effects.OnceAsync(
                $"approve-ci:{run.Id}:{task.IssueNumber}:{workflowRun.Id.ToString(CultureInfo.InvariantCulture)}",
                async ct => (await github.GetWorkflowRunAsync(run.Repository, workflowRun.Id, ct))?.Conclusion != "action_required",
                ct => github.ApproveWorkflowRunAsync(run.Repository, workflowRun.Id, ct),
                cancellationToken);
        }

        Log.Approved(logger, run.Id.Value, task.IssueNumber, waiting.Count);
        var result = await updates.ChangeTaskAsync(
            run.Id,
            task.IssueNumber,
            (_, t) =>
            {
                if (t.HeadSha != head || t.Checks is null)
                {
                    return t;
                }

                var checks = t.Checks.ToDictionary(c => c.Key, c => Tracking.Classify(c.Value) == CheckOutcome.NeedsApproval ? Tracking.Pending : c.Value, StringComparer.Ordinal);
                var approved = t with { Checks = checks };
                return approved with { State = Tracking.StateOf(approved with { State = TaskState.PrOpen }) };
            },
            cancellationToken);
        if (result is { } changed)
        {
            await updates.NotifyAsync(changed.After, job.IdempotencyKey, $"▶️ Approved {waiting.Count} workflow run(s) of [PR #{task.PullRequestNumber}](<{task.PullRequestUrl}>) (#{task.IssueNumber}); waiting for their checks.", cancellationToken);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 471, Level = LogLevel.Information, Message = "Approved {Count} waiting workflow run(s) for issue {Issue} of run {RunId}")]
        public static partial void Approved(ILogger logger, string runId, int issue, int count);
    }
}
