using Orchestrator.Runs;

namespace Orchestrator.Workflow;

/// <summary>
/// Applies what a pull request shows (from its webhook, or read back by reconciliation) to its task: link, head,
/// draft, the checks its base branch requires, merge or close; then refreshes the thread with a notice.
/// </summary>
public sealed class PullRequestTracker(RunUpdates updates, RequiredChecks requiredChecks)
{
    public const string ReconciledSuffix = " (found by reconciliation: its webhook never arrived)";

    public async Task<Run?> ApplyAsync(TaskLink link, PullRequestView pull, string key, bool foundByReconciliation, CancellationToken cancellationToken)
    {
        var before = link.Run.Task(link.Issue)!;
        var required = before.RequiredChecks;
        if (!pull.Closed && pull.BaseBranch is { } baseBranch && (required is null || before.PullRequestNumber != pull.Number || before.BaseBranch != baseBranch))
        {
            required = await requiredChecks.ForAsync(link.Run.Repository, baseBranch, cancellationToken);
        }

        var result = await updates.ChangeTaskAsync(
            link.Run.Id,
            link.Issue,
            (_, task) => pull.Closed
                ? Tracking.PullRequestClosed(task, pull.Merged, pull.At, pull.Number)
                : Tracking.PullRequestOpened(
                    task with { RequiredChecks = required, LinkedBy = task.PullRequestNumber == pull.Number ? task.LinkedBy : link.By },
                    pull.Number,
                    pull.Url,
                    pull.HeadSha,
                    pull.HeadBranch,
                    pull.At,
                    pull.Draft,
                    pull.BaseBranch),
            cancellationToken);
        if (result is not { } changed)
        {
            return null;
        }

        var was = changed.Before.Task(link.Issue)!;
        var now = changed.After.Task(link.Issue)!;
        var pr = $"[#{pull.Number}](<{pull.Url}>)";
        var notice = (pull.Closed, pull.Merged) switch
        {
            (true, true) when was.State != TaskState.Merged => $"🎉 Pull request {pr} merged (#{link.Issue}).",
            (true, false) when was.State != TaskState.Failed => $"⚠️ Pull request {pr} was closed without merging (#{link.Issue}).",
            (false, _) when was.PullRequestNumber != pull.Number => now.Draft
                ? $"🔗 Draft pull request {pr} opened for #{link.Issue}: the agent is at work{By(link)}."
                : $"🔗 Pull request {pr} opened for #{link.Issue}{By(link)}.",
            (false, _) when was.Draft && !now.Draft => $"👀 Pull request {pr} is ready for review (#{link.Issue}).",
            _ => null,
        };
        if (notice is not null && foundByReconciliation)
        {
            notice = notice.TrimEnd('.') + ReconciledSuffix + ".";
        }

        if (RunUpdates.BecameShippable(changed.Before, changed.After))
        {
            notice = (notice is null ? string.Empty : notice + "\n") + "🏁 Every task is merged with green checks: ready to `/ship`.";
        }

        await updates.NotifyAsync(changed.After, key, notice, cancellationToken);
        return changed.After;
    }

    private static string By(TaskLink link) => link.By is "" or "closing keyword" or "link" ? string.Empty : $" (linked by {link.By})";
}
