using Microsoft.Extensions.Options;
using Orchestrator.GitHub;

namespace Orchestrator.Workflow;

/// <summary>
/// The checks a task's base branch requires: Repositories:N:RequiredChecks when set, else what GitHub's rulesets and
/// classic branch protection require (conditional requests, so asking again is cheap). Empty: every reported check counts.
/// </summary>
public sealed class RequiredChecks(IGitHubApi github, IOptionsMonitor<WorkflowOptions> options)
{
    public async Task<IReadOnlyList<string>> ForAsync(string repository, string branch, CancellationToken cancellationToken) =>
        options.CurrentValue.Find(repository)?.RequiredChecks is { } configured
            ? RepositoryOptions.Split(configured)
            : await github.GetRequiredChecksAsync(repository, branch, cancellationToken);
}
