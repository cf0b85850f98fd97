using System.Globalization;
using Octokit;

namespace Orchestrator.GitHub;

/// <summary>
/// <see cref="IGitHubApi"/> over Octokit. Lists go through the connection to send exactly the parameters GitHub
/// documents and to follow the Link header page by page; single calls use Octokit's typed clients.
/// </summary>
public sealed partial class GitHubApi(IGitHubClientFactory clients, TimeProvider time) : IGitHubApi
{
    private const int PageSize = 100;
    private const int MaxRunPages = 3;
    private const string Accept = "application/vnd.github+json";

    // Oldest first: a plan takes the issues that have waited longest, and a limit cuts the newest.
    public Task<IReadOnlyList<GitHubIssue>> ListIssuesWithLabelAsync(string repository, string label, int limit, CancellationToken cancellationToken) =>
        CallAsync(repository, async client =>
        {
            var (owner, name) = GitHubRepository.Split(repository);
            var parameters = new Dictionary<string, string>
            {
                ["labels"] = label,
                ["state"] = "open",
                ["sort"] = "created",
                ["direction"] = "asc",
                // Always full pages: pull requests share the list, so a page of exactly `limit` would often need a second call.
                ["per_page"] = PageSize.ToString(CultureInfo.InvariantCulture),
            };
            var issues = new List<GitHubIssue>();
            await foreach (var page in PagesAsync<List<Issue>>(client, Path($"repos/{E(owner)}/{E(name)}/issues"), parameters, int.MaxValue, cancellationToken))
            {
                issues.AddRange(page.Where(i => i.PullRequest is null).Select(i => ToIssue(repository, i)));
                if (issues.Count >= limit)
                {
                    break;
                }
            }

            return (IReadOnlyList<GitHubIssue>)issues.Take(limit).ToList();
        }, cancellationToken);

    public Task<GitHubIssue?> GetIssueAsync(string repository, int number, CancellationToken cancellationToken) =>
        CallAsync(repository, async client =>
        {
            var (owner, name) = GitHubRepository.Split(repository);
            var issue = await OrNullAsync(() => client.Issue.Get(owner, name, number));
            return issue is null || issue.PullRequest is not null ? null : ToIssue(repository, issue);
        }, cancellationToken);

    public Task CloseIssueAsync(string repository, int number, string? comment, CancellationToken cancellationToken) =>
        CallAsync(repository, async client =>
        {
            var (owner, name) = GitHubRepository.Split(repository);
            if (!string.IsNullOrWhiteSpace(comment))
            {
                await client.Issue.Comment.Create(owner, name, number, comment);
            }

            cancellationToken.ThrowIfCancellationRequested();
            await client.Issue.Update(owner, name, number, new IssueUpdate { State = ItemState.Closed, StateReason = ItemStateReason.Completed });
            return true;
        }, cancellationToken);

    public Task<GitHubComment> CreateCommentAsync(string repository, int number, string body, CancellationToken cancellationToken) =>
        CallAsync(repository, async client =>
        {
            var (owner, name) = GitHubRepository.Split(repository);
            return ToComment(await client.Issue.Comment.Create(owner, name, number, body));
        }, cancellationToken);

    public Task<IReadOnlyList<GitHubComment>> ListCommentsAsync(string repository, int number, CancellationToken cancellationToken) =>
        CallAsync(repository, async client =>
        {
            var (owner, name) = GitHubRepository.Split(repository);
            var parameters = new Dictionary<string, string> { ["per_page"] = PageSize.ToString(CultureInfo.InvariantCulture) };
            var comments = new List<GitHubComment>();
            await foreach (var page in PagesAsync<List<IssueComment>>(client, Path($"repos/{E(owner)}/{E(name)}/issues/{number}/comments"), parameters, int.MaxValue, cancellationToken))
            {
                comments.AddRange(page.Select(ToComment));
            }

            return (IReadOnlyList<GitHubComment>)comments;
        }, cancellationToken);

    public Task AddAssigneesAsync(string repository, int number, IReadOnlyList<string> logins, CancellationToken cancellationToken) =>
        CallAsync(repository, async client =>
        {
            var (owner, name) = GitHubRepository.Split(repository);
            await client.Issue.Assignee.AddAssignees(owner, name, number, new AssigneesUpdate(logins.ToList()));
            return true;
        }, cancellationToken);

    public Task AddLabelsAsync(string repository, int number, IReadOnlyList<string> labels, CancellationToken cancellationToken) =>
        CallAsync(repository, async client =>
        {
            // Octokit's AddToIssue posts a bare array; GitHub's description documents only {"labels": [...]}.
            var (owner, name) = GitHubRepository.Split(repository);
            await client.Connection.Post<IReadOnlyList<Label>>(
                Path($"repos/{E(owner)}/{E(name)}/issues/{number}/labels"),
                new LabelsBody(labels),
                Accept,
                "application/json",
                (IDictionary<string, string>?)null,
                cancellationToken);
            return true;
        }, cancellationToken);

    // return_run_details asks GitHub to answer 200 with the created run's id (api.github.com); a server that
    // predates it (older GitHub Enterprise Server) ignores it and answers 204, so null means "look it up".
    public Task<long?> DispatchWorkflowAsync(string repository, string workflowFile, string gitRef, IReadOnlyDictionary<string, string> inputs, CancellationToken cancellationToken) =>
        CallAsync(repository, async client =>
        {
            var (owner, name) = GitHubRepository.Split(repository);
            var body = new Dictionary<string, object>
            {
                ["ref"] = gitRef,
                ["inputs"] = inputs.ToDictionary(i => i.Key, i => (object)i.Value),
                ["return_run_details"] = true,
            };
            var response = await client.Connection.Post<DispatchDetails>(
                Path($"repos/{E(owner)}/{E(name)}/actions/workflows/{E(workflowFile)}/dispatches"),
                body,
                Accept,
                "application/json",
                (IDictionary<string, string>?)null,
                cancellationToken);
            return response.Body is { WorkflowRunId: > 0 } details ? details.WorkflowRunId : (long?)null;
        }, cancellationToken);

    public Task<GitHubWorkflowRun?> FindWorkflowRunAsync(string repository, string workflowFile, string correlationId, DateTimeOffset createdAfter, CancellationToken cancellationToken) =>
        CallAsync(repository, async client =>
        {
            var (owner, name) = GitHubRepository.Split(repository);
            var parameters = new Dictionary<string, string>
            {
                ["event"] = "workflow_dispatch",
                ["created"] = ">=" + createdAfter.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                ["per_page"] = PageSize.ToString(CultureInfo.InvariantCulture),
            };
            await foreach (var page in PagesAsync<WorkflowRunsResponse>(client, RunsPath(owner, name, workflowFile), parameters, MaxRunPages, cancellationToken))
            {
                var run = page.WorkflowRuns.FirstOrDefault(r =>
                    (r.DisplayTitle ?? string.Empty).Contains(correlationId, StringComparison.Ordinal)
                    || (r.Name ?? string.Empty).Contains(correlationId, StringComparison.Ordinal));
                if (run is not null)
                {
                    return ToRun(run);
                }
            }

            return null;
        }, cancellationToken);

    public Task<GitHubWorkflowRun?> GetWorkflowRunAsync(string repository, long runId, CancellationToken cancellationToken) =>
        CallAsync(repository, async client =>
        {
            var (owner, name) = GitHubRepository.Split(repository);
            var run = await OrNullAsync(() => client.Actions.Workflows.Runs.Get(owner, name, runId));
            return run is null ? null : ToRun(run);
        }, cancellationToken);

    public Task<IReadOnlyList<GitHubWorkflowRun>> ListWorkflowRunsAsync(string repository, string workflowFile, int count, CancellationToken cancellationToken) =>
        CallAsync(repository, async client =>
        {
            var (owner, name) = GitHubRepository.Split(repository);
            var parameters = new Dictionary<string, string> { ["per_page"] = Math.Clamp(count, 1, PageSize).ToString(CultureInfo.InvariantCulture) };
            var runs = new List<GitHubWorkflowRun>();
            await foreach (var page in PagesAsync<WorkflowRunsResponse>(client, RunsPath(owner, name, workflowFile), parameters, int.MaxValue, cancellationToken))
            {
                runs.AddRange(page.WorkflowRuns.Select(ToRun));
                if (runs.Count >= count)
                {
                    break;
                }
            }

            return (IReadOnlyList<GitHubWorkflowRun>)runs.Take(count).ToList();
        }, cancellationToken);

    public Task<GitHubPullRequest?> GetPullRequestAsync(string repository, int number, CancellationToken cancellationToken) =>
        CallAsync(repository, async client =>
        {
            var (owner, name) = GitHubRepository.Split(repository);
            var pull = await OrNullAsync(() => client.PullRequest.Get(owner, name, number));
            return pull is null
                ? null
                : ToPull(pull);
        }, cancellationToken);

    private static string E(string segment) => Uri.EscapeDataString(segment);

    private static Uri Path(string relative) => new(relative, UriKind.Relative);

    private static Uri RunsPath(string owner, string name, string workflowFile) =>
        Path($"repos/{E(owner)}/{E(name)}/actions/workflows/{E(workflowFile)}/runs");

    /// <summary>Pages of a list, following GitHub's Link header: N items cost ceil(N / per_page) calls.</summary>
    private static async IAsyncEnumerable<TPage> PagesAsync<TPage>(
        IGitHubClient client,
        Uri first,
        Dictionary<string, string> parameters,
        int maxPages,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Uri? next = first;
        IDictionary<string, string>? query = parameters;
        for (var page = 0; next is not null && page < maxPages; page++)
        {
            var response = await client.Connection.Get<TPage>(next, query, Accept, cancellationToken);
            next = response.HttpResponse.ApiInfo.Links.TryGetValue("next", out var link) ? link : null;
            query = null; // the next link carries every parameter
            yield return response.Body;
        }
    }

    private static async Task<T?> OrNullAsync<T>(Func<Task<T>> call)
        where T : class
    {
        try
        {
            return await call();
        }
        catch (NotFoundException)
        {
            return null;
        }
    }

    private Task<T> CallAsync<T>(string repository, Func<IGitHubClient, Task<T>> call, CancellationToken cancellationToken) =>
        GitHubErrors.CallAsync(clients, repository, call, time, cancellationToken);

    private GitHubApiException Translate(string repository, ApiException e) => GitHubErrors.Translate(repository, e, time);

    private static GitHubIssue ToIssue(string repository, Issue issue) => new(
        repository,
        issue.Number,
        issue.Title,
        issue.Body,
        issue.State.StringValue,
        issue.Labels.Select(l => l.Name).ToList(),
        issue.Assignees.Select(a => a.Login).ToList(),
        new Uri(issue.HtmlUrl),
        issue.CreatedAt,
        issue.UpdatedAt);

    private static GitHubPullRequest ToPull(PullRequest pull) =>
        new(pull.Number, pull.Title, pull.State.StringValue, pull.Draft, pull.Merged, pull.Head.Ref, pull.Base.Ref, new Uri(pull.HtmlUrl), pull.MergedAt, pull.Head.Sha, pull.Body, pull.User?.Login);

    private static GitHubComment ToComment(IssueComment comment) =>
        new(comment.Id, comment.Body, comment.User.Login, new Uri(comment.HtmlUrl), comment.CreatedAt);

    private static GitHubWorkflowRun ToRun(WorkflowRun run) => new(
        run.Id,
        run.Name,
        run.DisplayTitle,
        run.Event,
        run.Status.StringValue,
        run.Conclusion?.StringValue,
        run.HeadBranch,
        new Uri(run.HtmlUrl),
        run.CreatedAt,
        run.UpdatedAt);

    /// <summary>The body GitHub's description documents for adding labels.</summary>
    private sealed record LabelsBody(IReadOnlyList<string> Labels);
}
