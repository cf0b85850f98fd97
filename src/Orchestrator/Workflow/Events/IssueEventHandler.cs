using Octokit.Webhooks.Events;
using Orchestrator.GitHub;
using Orchestrator.Runs;
using Orchestrator.Storage;

namespace Orchestrator.Workflow.Events;

/// <summary>issues: a planned issue closed outside the loop, or its labels changed.</summary>
public sealed class IssueEventHandler(RunUpdates updates, IRunStore runs) : IGitHubEventHandler
{
    public static IReadOnlyList<GitHubEventRoute> Routes { get; } =
    [
        new("issues", "closed", "Flag a planned issue closed without a pull request.", typeof(IssueEventHandler)),
        new("issues", "labeled", "Keep a planned issue's labels current.", typeof(IssueEventHandler)),
        new("issues", "unlabeled", "Keep a planned issue's labels current.", typeof(IssueEventHandler)),
    ];

    public async Task HandleAsync(GitHubEvent gitHubEvent, CancellationToken cancellationToken)
    {
        var e = (IssuesEvent)gitHubEvent.Payload;
        var repo = e.Repository?.FullName;
        if (repo is null || e.Issue is null)
        {
            return;
        }

        var number = (int)e.Issue.Number;
        var run = await runs.FindByIssueAsync(repo, number, cancellationToken);
        if (run is null || !Run.IsActive(run.State))
        {
            return;
        }

        switch (gitHubEvent.Delivery.Action)
        {
            case "labeled" or "unlabeled":
                var labels = e.Issue.Labels?.Select(l => l.Name).ToList() ?? [];
                var relabelled = await runs.UpdateWithRetryAsync(
                    run.Id,
                    current => current with { Plan = [.. current.Plan.Select(i => i.Number == number ? i with { Labels = labels } : i)] },
                    cancellationToken);
                await updates.NotifyAsync(relabelled, gitHubEvent.Delivery.DeliveryId, null, cancellationToken);
                break;

            case "closed" when run.State != RunState.Shipping:
                var result = await updates.ChangeTaskAsync(
                    run.Id,
                    number,
                    (_, t) => t.State is Runs.TaskState.Merged || t.PullRequestNumber is not null
                        ? t
                        : t with { State = Runs.TaskState.Failed, Failure = TaskFailure.IssueClosed, LastError = "The issue was closed without a pull request." },
                    cancellationToken);
                if (result is { } changed)
                {
                    await updates.NotifyAsync(changed.After, gitHubEvent.Delivery.DeliveryId, $"⚠️ Issue #{number} was closed without a pull request.", cancellationToken);
                }

                break;
        }
    }
}
