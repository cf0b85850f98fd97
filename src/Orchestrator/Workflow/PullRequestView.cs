namespace Orchestrator.Workflow;

/// <summary>A pull request as a webhook or a reconciliation read showed it.</summary>
public sealed record PullRequestView(
    int Number,
    string Url,
    string HeadSha,
    string HeadBranch,
    string? BaseBranch,
    bool Draft,
    bool Closed,
    bool Merged,
    DateTimeOffset At)
{
    /// <summary>A pull request as the REST API returned it; <paramref name="now"/> stands for a merge time GitHub did not give.</summary>
    public static PullRequestView From(GitHub.GitHubPullRequest pull, DateTimeOffset now) =>
        new(pull.Number, pull.HtmlUrl.ToString(), pull.HeadSha ?? string.Empty, pull.HeadRef, pull.BaseRef, pull.Draft, pull.State == "closed", pull.Merged, pull.MergedAt ?? now);
}
