using Orchestrator.GitHub;
using Orchestrator.Jobs;

namespace Orchestrator.Workflow.Executors;

/// <summary>Assigns the issue to an account (Executor:Assignee); the assignee is the mark a retry looks for.</summary>
public sealed class AssignExecutor(IGitHubApi github, Effects effects) : IExecutor
{
    public ExecutorKind Kind => ExecutorKind.Assign;

    public Task<string> StartAsync(ExecutorStart start, CancellationToken cancellationToken)
    {
        var assignee = start.Options.Assignee!;
        return effects.OnceAsync(
            start.EffectKey,
            async ct => (await github.GetIssueAsync(start.Run.Repository, start.Task.IssueNumber, ct))?.Assignees.Contains(assignee, StringComparer.OrdinalIgnoreCase) == true,
            ct => github.AddAssigneesAsync(start.Run.Repository, start.Task.IssueNumber, [assignee], ct),
            cancellationToken);
    }

    public bool IsAgentBranch(string branch, int issue) => false;

    public IReadOnlyList<string> AgentLogins(ExecutorOptions options) => options.Assignee is { } assignee ? [assignee] : [];

    public IReadOnlyList<ExecutorPrerequisite> Prerequisites(RepositoryOptions repository, ExecutorOptions executor, GitHubOptions github) =>
    [
        new("Executor:Assignee names the account to assign", string.IsNullOrWhiteSpace(executor.Assignee) ? PrerequisiteState.Missing : PrerequisiteState.Met),
        new($"{executor.Assignee} may be assigned issues of {repository.Name}", PrerequisiteState.External),
    ];
}
