using System.Globalization;
using Octokit;

namespace Orchestrator.GitHub;

/// <summary>
/// The calls that start coding agents and follow what they produce: agent assignment, issue timelines, pull
/// requests by head, check runs and statuses, required checks, and approval of waiting workflow runs. Reads go
/// through the response cache, so repeating one (reconciliation) is a conditional request that a 304 answers.
/// </summary>
public sealed partial class GitHubApi
{
    private const string RequiredStatusChecksRule = "required_status_checks";

    public async Task AssignAgentAsync(string repository, int number, string login, AgentAssignment assignment, CancellationToken cancellationToken)
    {
        var client = await clients.CreateForUserAsync(repository, cancellationToken);
        var (owner, name) = GitHubRepository.Split(repository);
        var details = new Dictionary<string, object>();
        Add(details, "target_repo", assignment.TargetRepository);
        Add(details, "base_branch", assignment.BaseBranch);
        Add(details, "custom_instructions", assignment.CustomInstructions);
        Add(details, "model", assignment.Model);
        var body = new Dictionary<string, object>
        {
            ["assignees"] = new[] { login },
            ["agent_assignment"] = details,
        };
        try
        {
            await client.Connection.Post<Issue>(
                Path($"repos/{E(owner)}/{E(name)}/issues/{number}/assignees"),
                body,
                Accept,
                "application/json",
                (IDictionary<string, string>?)null,
                cancellationToken);
        }
        catch (ApiException e)
        {
            throw Translate(repository, e);
        }

        static void Add(Dictionary<string, object> target, string key, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                target[key] = value;
            }
        }
    }

    public Task<IReadOnlyList<int>> ListLinkedPullRequestsAsync(string repository, int issue, CancellationToken cancellationToken) =>
        CallAsync(repository, async client =>
        {
            var (owner, name) = GitHubRepository.Split(repository);
            var parameters = new Dictionary<string, string> { ["per_page"] = PageSize.ToString(CultureInfo.InvariantCulture) };
            var pulls = new List<int>();
            var ownPulls = $"/{owner}/{name}/pull/";
            await foreach (var page in PagesAsync<List<TimelineEventInfo>>(client, Path($"repos/{E(owner)}/{E(name)}/issues/{issue}/timeline"), parameters, MaxRunPages, cancellationToken))
            {
                // "cross-referenced" names the pull request that mentioned the issue; REST's "connected" event carries no
                // subject, so the pull request behind it is found by the other rules (docs/agents.md).
                foreach (var item in page.Where(i => i.Event.StringValue == "cross-referenced" && i.Source?.Issue is { PullRequest: not null }))
                {
                    var source = item.Source.Issue;
                    if (source.HtmlUrl.Contains(ownPulls, StringComparison.OrdinalIgnoreCase) && !pulls.Contains(source.Number))
                    {
                        pulls.Add(source.Number);
                    }
                }
            }

            return (IReadOnlyList<int>)pulls;
        }, cancellationToken);

    public Task<GitHubPullRequest?> FindPullRequestByHeadAsync(string repository, string branch, CancellationToken cancellationToken) =>
        CallAsync(repository, async client =>
        {
            var (owner, name) = GitHubRepository.Split(repository);
            var parameters = new Dictionary<string, string>
            {
                ["head"] = $"{owner}:{branch}",
                ["state"] = "all",
                ["per_page"] = "10",
            };
            var response = await client.Connection.Get<List<PullRequest>>(Path($"repos/{E(owner)}/{E(name)}/pulls"), parameters, Accept, cancellationToken);
            return response.Body.Count == 0 ? null : ToPull(response.Body[0]);
        }, cancellationToken);

    public Task<IReadOnlyList<GitHubPullRequest>> ListOpenPullRequestsAsync(string repository, int limit, CancellationToken cancellationToken) =>
        CallAsync(repository, async client =>
        {
            var (owner, name) = GitHubRepository.Split(repository);
            var parameters = new Dictionary<string, string> { ["state"] = "open", ["per_page"] = PageSize.ToString(CultureInfo.InvariantCulture) };
            var pulls = new List<GitHubPullRequest>();
            await foreach (var page in PagesAsync<List<PullRequest>>(client, Path($"repos/{E(owner)}/{E(name)}/pulls"), parameters, int.MaxValue, cancellationToken))
            {
                pulls.AddRange(page.Select(ToPull));
                if (pulls.Count >= limit)
                {
                    break;
                }
            }

            return (IReadOnlyList<GitHubPullRequest>)pulls.Take(limit).ToList();
        }, cancellationToken);

    public Task<GitHubPullRequest> CreatePullRequestAsync(string repository, string head, string @base, string title, string body, CancellationToken cancellationToken) =>
        CallAsync(repository, async client =>
        {
            var (owner, name) = GitHubRepository.Split(repository);
            var pull = await client.PullRequest.Create(owner, name, new NewPullRequest(title, head, @base) { Body = body });
            return ToPull(pull);
        }, cancellationToken);

    public Task<IReadOnlyList<string>> ListBranchesAsync(string repository, string prefix, CancellationToken cancellationToken) =>
        CallAsync(repository, async client =>
        {
            var (owner, name) = GitHubRepository.Split(repository);
            var refs = await client.Connection.Get<List<Reference>>(Path($"repos/{E(owner)}/{E(name)}/git/matching-refs/heads/{prefix}"), null, Accept, cancellationToken);
            return (IReadOnlyList<string>)refs.Body.Select(r => r.Ref["refs/heads/".Length..]).ToList();
        }, cancellationToken);

    public Task<IReadOnlyList<GitHubCheck>> ListChecksAsync(string repository, string sha, CancellationToken cancellationToken) =>
        CallAsync(repository, async client =>
        {
            var (owner, name) = GitHubRepository.Split(repository);
            var parameters = new Dictionary<string, string> { ["per_page"] = PageSize.ToString(CultureInfo.InvariantCulture) };
            var runs = await client.Connection.Get<CheckRunsResponse>(Path($"repos/{E(owner)}/{E(name)}/commits/{E(sha)}/check-runs"), parameters, Accept, cancellationToken);
            var status = await client.Connection.Get<CombinedCommitStatus>(Path($"repos/{E(owner)}/{E(name)}/commits/{E(sha)}/status"), parameters, Accept, cancellationToken);
            var checks = runs.Body.CheckRuns
                .Select(r => new GitHubCheck("check:" + r.Name, r.Status.StringValue == "completed" ? r.Conclusion?.StringValue : null))
                .Concat(status.Body.Statuses.Select(s => new GitHubCheck("status:" + s.Context, s.State.StringValue == "pending" ? null : s.State.StringValue)));
            return (IReadOnlyList<GitHubCheck>)checks.ToList();
        }, cancellationToken);

    public Task<IReadOnlyList<string>> GetRequiredChecksAsync(string repository, string branch, CancellationToken cancellationToken) =>
        CallAsync(repository, async client =>
        {
            var (owner, name) = GitHubRepository.Split(repository);
            var required = new List<string>();
            var rules = await client.Connection.Get<List<BranchRule>>(Path($"repos/{E(owner)}/{E(name)}/rules/branches/{E(branch)}"), null, Accept, cancellationToken);
            foreach (var rule in rules.Body.Where(r => r.Type == RequiredStatusChecksRule && r.Parameters?.RequiredStatusChecks is not null))
            {
                required.AddRange(rule.Parameters!.RequiredStatusChecks!.Select(c => c.Context));
            }

            try
            {
                var protection = await client.Connection.Get<BranchProtectionRequiredStatusChecks>(
                    Path($"repos/{E(owner)}/{E(name)}/branches/{E(branch)}/protection/required_status_checks"), null, Accept, cancellationToken);
                required.AddRange(protection.Body.Contexts ?? []);
            }
            catch (ApiException e) when (e is NotFoundException or ForbiddenException)
            {
                // The branch has no classic protection (404), or the token may not read it (403): rulesets alone say.
            }

            return (IReadOnlyList<string>)required.Distinct(StringComparer.Ordinal).ToList();
        }, cancellationToken);

    public Task<IReadOnlyList<GitHubWorkflowRun>> ListRunsAwaitingApprovalAsync(string repository, string headSha, CancellationToken cancellationToken) =>
        CallAsync(repository, async client =>
        {
            var (owner, name) = GitHubRepository.Split(repository);
            var parameters = new Dictionary<string, string>
            {
                ["head_sha"] = headSha,
                ["status"] = "action_required",
                ["per_page"] = PageSize.ToString(CultureInfo.InvariantCulture),
            };
            var response = await client.Connection.Get<WorkflowRunsResponse>(Path($"repos/{E(owner)}/{E(name)}/actions/runs"), parameters, Accept, cancellationToken);
            return (IReadOnlyList<GitHubWorkflowRun>)response.Body.WorkflowRuns.Select(ToRun).ToList();
        }, cancellationToken);

    public Task ApproveWorkflowRunAsync(string repository, long runId, CancellationToken cancellationToken) =>
        CallAsync(repository, async client =>
        {
            var (owner, name) = GitHubRepository.Split(repository);
            await client.Connection.Post(Path($"repos/{E(owner)}/{E(name)}/actions/runs/{runId}/approve"));
            return true;
        }, cancellationToken);

    /// <summary>The answer to a dispatch with return_run_details (created by Octokit's deserializer).</summary>
    private sealed class DispatchDetails
    {
        public long WorkflowRunId { get; set; }
    }

    /// <summary>A rule of GET /repos/{owner}/{repo}/rules/branches/{branch} (created by Octokit's deserializer).</summary>
    private sealed class BranchRule
    {
        public string Type { get; set; } = string.Empty;

        public BranchRuleParameters? Parameters { get; set; }
    }

    private sealed class BranchRuleParameters
    {
        public List<RequiredCheck>? RequiredStatusChecks { get; set; }
    }

    private sealed class RequiredCheck
    {
        public string Context { get; set; } = string.Empty;
    }
}
