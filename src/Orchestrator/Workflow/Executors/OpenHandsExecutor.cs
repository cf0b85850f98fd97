using System.Text.RegularExpressions;
using Orchestrator.GitHub;
using Orchestrator.Jobs;

namespace Orchestrator.Workflow.Executors;

/// <summary>
/// The OpenHands resolver. Started by a label (default <c>fix-me</c>); it works on branch
/// <c>openhands-fix-issue-{N}</c> (<c>-try{K}</c> when that exists) and opens a draft pull request, or, when it fails,
/// comments its explanation on the issue (and may push the branch without a pull request).
/// </summary>
public sealed partial class OpenHandsExecutor(IGitHubApi github, Effects effects) : IExecutor
{
    /// <summary>Phrases of the resolver workflow's failure comments (openhands-resolver.yml).</summary>
    private static readonly string[] FailurePhrases =
    [
        "The workflow to fix this issue encountered an error",
        "failed to create any code changes",
        "An attempt was made to automatically fix this issue, but it was unsuccessful",
    ];

    public ExecutorKind Kind => ExecutorKind.OpenHands;

    public Task<string> StartAsync(ExecutorStart start, CancellationToken cancellationToken)
    {
        var label = start.Options.EffectiveLabel;
        return effects.OnceAsync(
            start.EffectKey,
            async ct => (await github.GetIssueAsync(start.Run.Repository, start.Task.IssueNumber, ct))?.Labels.Contains(label, StringComparer.OrdinalIgnoreCase) == true,
            ct => github.AddLabelsAsync(start.Run.Repository, start.Task.IssueNumber, [label], ct),
            cancellationToken);
    }

    public bool IsAgentBranch(string branch, int issue) =>
        Branch().Match(branch) is { Success: true } m && m.Groups[1].Value == issue.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The resolver's failure comment, or null when the comment is not one.</summary>
    public static AgentOutcome? Outcome(string body) =>
        FailurePhrases.Any(p => body.Contains(p, StringComparison.OrdinalIgnoreCase))
            ? new AgentOutcome(false, Discord.Markdown.Truncate(body.Trim(), 300))
            : null;

    public IReadOnlyList<string> AgentLogins(ExecutorOptions options) => [];

    public IReadOnlyList<ExecutorPrerequisite> Prerequisites(RepositoryOptions repository, ExecutorOptions executor, GitHubOptions github) =>
    [
        new($"The label {executor.EffectiveLabel} exists and starts the resolver workflow", PrerequisiteState.External, "copy the resolver's openhands-resolver.yml into .github/workflows"),
        new("The resolver's secrets are set (PAT_TOKEN, PAT_USERNAME, LLM_MODEL, LLM_API_KEY) and Actions may create pull requests", PrerequisiteState.External, "see docs/agents.md"),
    ];

    [GeneratedRegex(@"^openhands-fix-issue-(\d{1,9})(?:-try\d+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Branch();
}
