using Orchestrator.GitHub;
using Orchestrator.Jobs;

namespace Orchestrator.Workflow.Executors;

/// <summary>
/// GitHub Copilot coding agent. Started by assigning <c>copilot-swe-agent[bot]</c> with an <c>agent_assignment</c>
/// (target repository, base branch, custom instructions with the issue link and correlation id, model) through
/// POST /repos/{owner}/{repo}/issues/{n}/assignees, as a user: Copilot refuses App installation tokens. It opens a
/// draft pull request on a <c>copilot/…</c> branch whose body may not say "Fixes #N"; the linker finds it through the
/// issue's timeline, or as the only Copilot task without a pull request.
/// </summary>
public sealed class CopilotExecutor(IGitHubApi github, Effects effects) : IExecutor
{
    /// <summary>The login to assign (GitHub Docs, "Assigning an issue to Copilot" with the REST API).</summary>
    public const string Login = "copilot-swe-agent[bot]";

    /// <summary>How the agent shows among an issue's assignees.</summary>
    private static readonly string[] Logins = [Login, "Copilot", "copilot-swe-agent"];

    public ExecutorKind Kind => ExecutorKind.Copilot;

    public Task<string> StartAsync(ExecutorStart start, CancellationToken cancellationToken)
    {
        var options = start.Options;
        var instructions = string.IsNullOrWhiteSpace(options.Instructions) ? start.Reference : options.Instructions.Trim() + "\n\n" + start.Reference;
        return effects.OnceAsync(
            start.EffectKey,
            async ct => (await github.GetIssueAsync(start.Run.Repository, start.Task.IssueNumber, ct))?.Assignees.Any(a => Logins.Contains(a, StringComparer.OrdinalIgnoreCase)) == true,
            ct => github.AssignAgentAsync(
                start.Run.Repository,
                start.Task.IssueNumber,
                Login,
                new AgentAssignment(start.Run.Repository, options.BaseBranch, instructions, options.Model),
                ct),
            cancellationToken);
    }

    public bool IsAgentBranch(string branch, int issue) => branch.StartsWith("copilot/", StringComparison.Ordinal);

    public IReadOnlyList<string> AgentLogins(ExecutorOptions options) => Logins;

    public IReadOnlyList<ExecutorPrerequisite> Prerequisites(RepositoryOptions repository, ExecutorOptions executor, GitHubOptions github) =>
    [
        new(
            "A user token to assign Copilot (GitHub:UserToken, or GitHub:Token when it is a user's token)",
            !string.IsNullOrWhiteSpace(github.UserToken) || !string.IsNullOrWhiteSpace(github.Token) ? PrerequisiteState.Met : PrerequisiteState.Missing,
            "set Orchestrator:GitHub:UserToken to a token of a user with a Copilot licence and write access"),
        new("Copilot coding agent is enabled for the repository (a paid Copilot plan, enabled by the owner's policy)", PrerequisiteState.External, "see docs/agents.md"),
        new("Actions runs of Copilot's pull requests wait for approval: someone with write access approves them (the Approve CI button)", PrerequisiteState.External),
    ];
}
