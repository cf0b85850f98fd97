using System.Globalization;
using Microsoft.Extensions.Options;
using Orchestrator.GitHub;
using Orchestrator.Jobs;
using Orchestrator.Runs;
using Orchestrator.Storage;
using Orchestrator.Workflow.Executors;

namespace Orchestrator.Workflow.Jobs;

/// <summary>
/// Opens the pull request for the branch an agent pushed without one (claude-code-action's default): title from the
/// issue, body "Fixes #N" with the correlation id. An effect: a retry first looks for a pull request of that head,
/// so a crash between GitHub creating it and us recording it never opens a second one.
/// </summary>
public sealed partial class OpenPullRequestJobHandler(
    IGitHubApi github,
    IGitHubSetupApi setup,
    Effects effects,
    PullRequestTracker tracker,
    IRunStore runs,
    IOptionsMonitor<WorkflowOptions> options,
    TimeProvider time,
    ILogger<OpenPullRequestJobHandler> logger) : IJobHandler
{
    public string Kind => WorkflowJobs.OpenPullRequest;

    public async Task HandleAsync(Job job, CancellationToken cancellationToken)
    {
        var request = WorkflowJobs.Read(job, WorkflowJsonContext.Default.TaskJob);
        var run = await runs.GetAsync(new RunId(request.RunId), cancellationToken);
        if (run is not { State: RunState.InProgress } || run.Task(request.Issue) is not { PullRequestNumber: null } task || request.Branch is not { } branch)
        {
            return;
        }

        var key = $"open-pr:{run.Id}:{task.IssueNumber}:{task.Attempts}";
        var issue = run.Plan.FirstOrDefault(i => i.Number == task.IssueNumber);
        var number = await effects.OnceAsync(
            key,
            async ct => (await github.FindPullRequestByHeadAsync(run.Repository, branch, ct))?.Number.ToString(CultureInfo.InvariantCulture),
            async ct =>
            {
                // The agent (or a person) may have opened one meanwhile: never a second pull request for a head.
                if (await github.FindPullRequestByHeadAsync(run.Repository, branch, ct) is { } existing)
                {
                    return existing.Number.ToString(CultureInfo.InvariantCulture);
                }

                var @base = options.CurrentValue.Find(run.Repository)?.ExecutorOf(task).BaseBranch
                    ?? (await setup.GetRepositoryAsync(run.Repository, ct))?.DefaultBranch
                    ?? throw new PermanentJobFailureException($"{run.Repository} is not visible to the service's GitHub credentials.");
                var body = $"Fixes #{task.IssueNumber}\n\nOpened by Orchestrator for the branch `{branch}` the agent pushed.\nCorrelation id: {task.CorrelationId}\n\n{CommentMarker.For(key)}";
                var created = await github.CreatePullRequestAsync(run.Repository, branch, @base, issue?.Title ?? $"Fix #{task.IssueNumber}", body, ct);
                return created.Number.ToString(CultureInfo.InvariantCulture);
            },
            cancellationToken);

        Log.Opened(logger, run.Id.Value, task.IssueNumber, number);
        var pull = await github.GetPullRequestAsync(run.Repository, int.Parse(number, CultureInfo.InvariantCulture), cancellationToken);
        if (pull is not null)
        {
            await tracker.ApplyAsync(new TaskLink(run, task.IssueNumber, "the pull request the service opened"), PullRequestView.From(pull, time.GetUtcNow()), key, foundByReconciliation: false, cancellationToken);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 472, Level = LogLevel.Information, Message = "Pull request {Number} serves issue {Issue} of run {RunId} (agent branch)")]
        public static partial void Opened(ILogger logger, string runId, int issue, string number);
    }
}
