using Orchestrator.GitHub;
using Orchestrator.Jobs;

namespace Orchestrator.Workflow.Executors;

/// <summary>Adds Executor:Label to the issue; the label is the mark a retry looks for.</summary>
public sealed class LabelExecutor(IGitHubApi github, Effects effects) : IExecutor
{
    public ExecutorKind Kind => ExecutorKind.Label;

    public Task<string> StartAsync(ExecutorStart start, CancellationToken cancellationToken)
    {
        var label = start.Options.Label!;
        return effects.OnceAsync(
            start.EffectKey,
            async ct => (await github.GetIssueAsync(start.Run.Repository, start.Task.IssueNumber, ct))?.Labels.Contains(label, StringComparer.OrdinalIgnoreCase) == true,
            ct => github.AddLabelsAsync(start.Run.Repository, start.Task.IssueNumber, [label], ct),
            cancellationToken);
    }

    public bool IsAgentBranch(string branch, int issue) => false;

    public IReadOnlyList<string> AgentLogins(ExecutorOptions options) => [];

    public IReadOnlyList<ExecutorPrerequisite> Prerequisites(RepositoryOptions repository, ExecutorOptions executor, GitHubOptions github) =>
    [
        new("Executor:Label names the label to add", string.IsNullOrWhiteSpace(executor.Label) ? PrerequisiteState.Missing : PrerequisiteState.Met),
    ];
}
