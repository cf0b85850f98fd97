using System.Text.RegularExpressions;
using Orchestrator.GitHub;
using Orchestrator.Jobs;

namespace Orchestrator.Workflow.Executors;

/// <summary>
/// anthropics/claude-code-action. Started by a comment with its trigger phrase (default <c>@claude</c>), posted with the
/// service's own credentials: a comment posted with a workflow's GITHUB_TOKEN triggers no workflow, and a bot author
/// is refused unless the action lists it in <c>allowed_bots</c>. By default the action opens no pull request: it
/// pushes <c>claude/issue-{N}-{yyyyMMdd-HHmm}</c> and edits one tracking comment ("Claude finished …" or "Claude
/// encountered an error …"); the service opens the pull request itself (Executor:OpenPullRequest).
/// </summary>
public sealed partial class ClaudeExecutor(IGitHubApi github, Effects effects) : IExecutor
{
    public ExecutorKind Kind => ExecutorKind.Claude;

    public Task<string> StartAsync(ExecutorStart start, CancellationToken cancellationToken)
    {
        var options = start.Options;
        var instructions = string.IsNullOrWhiteSpace(options.Instructions) ? "please implement this issue." : options.Instructions.Trim();
        var body = $"{options.TriggerPhrase} {instructions}\n\n{start.Reference}\n\n{CommentMarker.For(start.EffectKey)}";
        return effects.OnceAsync(
            start.EffectKey,
            async ct => (await github.ListCommentsAsync(start.Run.Repository, start.Task.IssueNumber, ct)).Any(c => c.Body.Contains(CommentMarker.For(start.EffectKey), StringComparison.Ordinal)),
            ct => github.CreateCommentAsync(start.Run.Repository, start.Task.IssueNumber, body, ct),
            cancellationToken);
    }

    /// <summary>The action's default branch name: branch_prefix "claude/", then "issue-{N}-" and a timestamp.</summary>
    public bool IsAgentBranch(string branch, int issue) => IssueOf(branch) == issue;

    public static int? IssueOf(string branch) =>
        Branch().Match(branch) is { Success: true } m && int.TryParse(m.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>The tracking comment's outcome, or null when the comment is not one (claude-code-action src/github/operations/comment-logic.ts).</summary>
    public static AgentOutcome? Outcome(string body)
    {
        if (body.Contains("**Claude encountered an error", StringComparison.Ordinal))
        {
            // The header, then the error details in a code block when the action had them.
            var details = ErrorDetails().Match(body);
            return new AgentOutcome(false, details.Success ? details.Groups[1].Value.Trim() : "Claude encountered an error.");
        }

        return body.Contains("**Claude finished", StringComparison.Ordinal) ? new AgentOutcome(true, "Claude finished the task.") : null;
    }

    public IReadOnlyList<string> AgentLogins(ExecutorOptions options) => [];

    public IReadOnlyList<ExecutorPrerequisite> Prerequisites(RepositoryOptions repository, ExecutorOptions executor, GitHubOptions github) =>
    [
        new("Executor:TriggerPhrase matches the action's trigger_phrase", string.IsNullOrWhiteSpace(executor.TriggerPhrase) ? PrerequisiteState.Missing : PrerequisiteState.Met, "default @claude"),
        new(
            "The trigger comment's author may trigger the action",
            string.IsNullOrWhiteSpace(github.Token) && github.HasApiCredentials ? PrerequisiteState.External : PrerequisiteState.Met,
            "the service posts as its GitHub App (a bot): list the App's bot login in the action's allowed_bots"),
        new("A workflow runs anthropics/claude-code-action on issue_comment with contents, issues and pull-requests write permissions", PrerequisiteState.External, "see docs/agents.md"),
    ];

    [GeneratedRegex(@"^claude/issue-(\d{1,9})-", RegexOptions.CultureInvariant)]
    private static partial Regex Branch();

    [GeneratedRegex(@"```\n(.*?)\n```", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex ErrorDetails();
}
