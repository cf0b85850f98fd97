using System.Globalization;
using Orchestrator.GitHub;
using Orchestrator.Jobs;

namespace Orchestrator.Workflow.Executors;

/// <summary>
/// workflow_dispatch of the repository's agent workflow with issue_number, run_id and correlation_id. GitHub answers
/// with the created run's id (return_run_details), which is recorded at once; a server that answers 204 (older GitHub
/// Enterprise Server) is followed by a search of the workflow's runs for the correlation id in their name.
/// </summary>
public sealed class WorkflowExecutor(IGitHubApi github, Effects effects, TimeProvider time) : IExecutor
{
    /// <summary>How far GitHub's clock may be from ours when comparing a run's creation with our records.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    public ExecutorKind Kind => ExecutorKind.Workflow;

    public Task<string> StartAsync(ExecutorStart start, CancellationToken cancellationToken)
    {
        var workflow = start.Options.Workflow!;
        return effects.OnceAsync(
            start.EffectKey,
            (intent, ct) => FindRunAsync(start, workflow, intent.StartedAt - ClockSkew, ct),
            async ct =>
            {
                var startedAt = time.GetUtcNow();
                var runId = await github.DispatchWorkflowAsync(
                    start.Run.Repository,
                    workflow,
                    start.Options.Ref,
                    new Dictionary<string, string>
                    {
                        ["issue_number"] = start.Task.IssueNumber.ToString(CultureInfo.InvariantCulture),
                        ["run_id"] = start.Run.Id.Value,
                        ["correlation_id"] = start.Task.CorrelationId,
                    },
                    ct);
                if (runId is { } id)
                {
                    return id.ToString(CultureInfo.InvariantCulture);
                }

                // 204: no run details. GitHub usually has the run by now; if not, its workflow_run event or the
                // reconciliation links it by the correlation id in its name.
                return await FindRunAsync(start, workflow, startedAt - ClockSkew, ct) ?? "workflow_dispatch";
            },
            cancellationToken);
    }

    public bool IsAgentBranch(string branch, int issue) => false;

    public IReadOnlyList<string> AgentLogins(ExecutorOptions options) => [];

    public IReadOnlyList<ExecutorPrerequisite> Prerequisites(RepositoryOptions repository, ExecutorOptions executor, GitHubOptions github) =>
    [
        new("Executor:Workflow names the agent workflow file", string.IsNullOrWhiteSpace(executor.Workflow) ? PrerequisiteState.Missing : PrerequisiteState.Met, "set Executor:Workflow, e.g. agent.yml"),
        new($"The workflow {executor.Workflow} exists on {executor.Ref}, declares the inputs issue_number, run_id and correlation_id, and puts correlation_id in its run-name", PrerequisiteState.External, "see docs/loop.md"),
    ];

    /// <summary>
    /// The run this attempt created. A retried task keeps its correlation id, so runs of earlier attempts match it
    /// too: only a run created after this attempt began (less the clock skew) counts, and never the one already followed.
    /// </summary>
    private async Task<string?> FindRunAsync(ExecutorStart start, string workflow, DateTimeOffset after, CancellationToken cancellationToken)
    {
        var found = await github.FindWorkflowRunAsync(start.Run.Repository, workflow, start.Task.CorrelationId, after, cancellationToken);
        var id = found?.Id.ToString(CultureInfo.InvariantCulture);
        return id is null || id == start.Task.DispatchId ? null : id;
    }
}
