using System.Globalization;
using Orchestrator.GitHub;
using Orchestrator.Jobs;

namespace Orchestrator.Workflow.Executors;

/// <summary>Posts Executor:Comment ("{issue}", "{run}" and "{correlation}" replaced) with a hidden marker a retry looks for.</summary>
public sealed class CommentExecutor(IGitHubApi github, Effects effects) : IExecutor
{
    public ExecutorKind Kind => ExecutorKind.Comment;

    public Task<string> StartAsync(ExecutorStart start, CancellationToken cancellationToken)
    {
        var marker = CommentMarker.For(start.EffectKey);
        var body = start.Options.Comment!
            .Replace("{issue}", start.Task.IssueNumber.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{run}", start.Run.Id.Value, StringComparison.Ordinal)
            .Replace("{correlation}", start.Task.CorrelationId, StringComparison.Ordinal)
            + "\n\n" + marker;
        return effects.OnceAsync(
            start.EffectKey,
            async ct => (await github.ListCommentsAsync(start.Run.Repository, start.Task.IssueNumber, ct)).Any(c => c.Body.Contains(marker, StringComparison.Ordinal)),
            ct => github.CreateCommentAsync(start.Run.Repository, start.Task.IssueNumber, body, ct),
            cancellationToken);
    }

    public bool IsAgentBranch(string branch, int issue) => false;

    public IReadOnlyList<string> AgentLogins(ExecutorOptions options) => [];

    public IReadOnlyList<ExecutorPrerequisite> Prerequisites(RepositoryOptions repository, ExecutorOptions executor, GitHubOptions github) =>
    [
        new("Executor:Comment holds the trigger comment", string.IsNullOrWhiteSpace(executor.Comment) ? PrerequisiteState.Missing : PrerequisiteState.Met),
    ];
}
