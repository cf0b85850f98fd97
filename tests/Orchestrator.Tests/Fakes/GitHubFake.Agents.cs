using System.Globalization;
using System.Text.Json.Nodes;

namespace Orchestrator.Tests.Fakes;

/// <summary>
/// The endpoints coding agents and their tracking need (issue 12): Copilot assignment, issue timelines, branch rules and
/// protection, check runs and statuses of a commit, matching refs, pull request creation, runs of a head
/// and their approval. Like the rest of the fake, every request and answer is checked against @octokit/openapi.
/// </summary>
public sealed partial class GitHubFake
{
    /// <summary>The login that starts Copilot coding agent.</summary>
    public const string CopilotLogin = "copilot-swe-agent[bot]";

    private static readonly string[] AgentAssignmentFields = ["target_repo", "base_branch", "custom_instructions", "custom_agent", "model"];

    /// <summary>False: dispatches answer 204 even when asked for run details, as GitHub Enterprise Server before return_run_details.</summary>
    public bool ReturnsRunDetails { get; set; } = true;

    private void MapAgentEndpoints()
    {
        Map("POST", "/repos/{owner}/{repo}/issues/{issue_number}/assignees", AssignWithAgent);
        Map("GET", "/repos/{owner}/{repo}/issues/{issue_number}/timeline", ListTimeline);
        Map("GET", "/repos/{owner}/{repo}/rules/branches/{branch}", ListBranchRules);
        Map("GET", "/repos/{owner}/{repo}/branches/{branch}/protection/required_status_checks", GetRequiredStatusChecks);
        Map("GET", "/repos/{owner}/{repo}/commits/{ref}/check-runs", ListCheckRuns);
        Map("GET", "/repos/{owner}/{repo}/commits/{ref}/status", GetCombinedStatus);
        Map("GET", "/repos/{owner}/{repo}/git/matching-refs/{ref}", ListMatchingRefs);
        Map("POST", "/repos/{owner}/{repo}/pulls", CreatePull);
        Map("GET", "/repos/{owner}/{repo}/actions/runs", ListRepositoryRuns);
        Map("POST", "/repos/{owner}/{repo}/actions/runs/{run_id}/approve", ApproveRun);
    }

    /// <summary>
    /// Assignees, with Copilot's rules: an App installation token cannot assign it (the docs: "server-to-server tokens
    /// are not supported"), and agent_assignment holds only the fields GitHub documents, as strings.
    /// </summary>
    private FakeResponse AssignWithAgent(FakeRequest request)
    {
        var assignees = (request.Body?["assignees"] as JsonArray ?? []).Select(a => a is JsonObject o ? o["login"]!.GetValue<string>() : a!.GetValue<string>()).ToList();
        if (assignees.Contains(CopilotLogin, StringComparer.OrdinalIgnoreCase))
        {
            var credential = request.Header("Authorization")?.Split(' ', 2)[^1];
            lock (_issued)
            {
                if (_issued.Any(t => t.Token == credential))
                {
                    return Error(403, "Copilot cannot be assigned with a GitHub App installation token; use a user token.");
                }
            }

            if (request.Body?["agent_assignment"] is JsonObject assignment
                && assignment.Any(p => !AgentAssignmentFields.Contains(p.Key) || p.Value is not JsonValue v || v.GetValueKind() != System.Text.Json.JsonValueKind.String))
            {
                return Error(422, "Invalid agent_assignment.");
            }
        }

        return AddAssignees(request);
    }

    private FakeResponse ListTimeline(FakeRequest request) => WithIssue(request, (repository, issue) =>
    {
        var events = issue.CrossReferencedBy.Select(number => repository.Issues.Single(i => i.Number == number)).Select(pull => (JsonNode)new JsonObject
        {
            ["event"] = "cross-referenced",
            ["actor"] = User(pull.Author, pull.Author.EndsWith("[bot]", StringComparison.Ordinal) ? "Bot" : "User"),
            ["created_at"] = Iso(pull.CreatedAt),
            ["updated_at"] = Iso(pull.UpdatedAt),
            ["source"] = new JsonObject { ["type"] = "issue", ["issue"] = IssueJson(request, repository, pull) },
        }).ToList();
        return Page(request, events, e => e.DeepClone());
    });

    private FakeResponse ListBranchRules(FakeRequest request)
    {
        if (Find(request) is not { } repository)
        {
            return Error(404, "Not Found");
        }

        var rules = new JsonArray();
        if (repository.RulesetRequiredChecks.Count > 0)
        {
            rules.Add(new JsonObject
            {
                ["type"] = "required_status_checks",
                ["ruleset_source_type"] = "Repository",
                ["ruleset_source"] = repository.FullName,
                ["ruleset_id"] = 42,
                ["parameters"] = new JsonObject
                {
                    ["strict_required_status_checks_policy"] = false,
                    ["required_status_checks"] = new JsonArray([.. repository.RulesetRequiredChecks.Select(c => (JsonNode)new JsonObject { ["context"] = c })]),
                },
            });
        }

        return new FakeResponse(200, rules);
    }

    private FakeResponse GetRequiredStatusChecks(FakeRequest request)
    {
        var branch = request.Value("branch");
        if (Find(request) is not { } repository || !repository.ProtectedBranches.TryGetValue(branch, out var contexts))
        {
            return Error(404, "Branch not protected");
        }

        var api = $"{request.Origin}repos/{repository.FullName}/branches/{branch}/protection/required_status_checks";
        return new FakeResponse(200, new JsonObject
        {
            ["url"] = api,
            ["strict"] = false,
            ["contexts"] = new JsonArray([.. contexts.Select(c => (JsonNode)c)]),
            ["checks"] = new JsonArray([.. contexts.Select(c => (JsonNode)new JsonObject { ["context"] = c, ["app_id"] = null })]),
            ["contexts_url"] = api + "/contexts",
        });
    }

    private FakeResponse ListCheckRuns(FakeRequest request)
    {
        if (Find(request) is not { } repository)
        {
            return Error(404, "Not Found");
        }

        var sha = request.Value("ref");
        var template = request.Operation.Example(200)!.Value.GetProperty("check_runs")[0];
        var runs = repository.CheckRuns.Where(r => r.HeadSha == sha).ToList();
        var page = Page(request, runs, run =>
        {
            var json = Clone(template).AsObject();
            json["id"] = run.Id;
            json["head_sha"] = run.HeadSha;
            json["name"] = run.Name;
            json["status"] = run.Status;
            json["conclusion"] = run.Conclusion;
            json["html_url"] = $"https://github.com/{repository.FullName}/runs/{run.Id}";
            json["pull_requests"] = new JsonArray();
            return json;
        });
        var response = new FakeResponse(200, new JsonObject { ["total_count"] = runs.Count, ["check_runs"] = page.Body!.DeepClone() });
        foreach (var (name, value) in page.Headers)
        {
            response.Headers[name] = value;
        }

        return response;
    }

    private FakeResponse GetCombinedStatus(FakeRequest request)
    {
        if (Find(request) is not { } repository)
        {
            return Error(404, "Not Found");
        }

        var sha = request.Value("ref");
        var json = Clone(request.Operation.Example(200)!.Value).AsObject();
        var template = json["statuses"]![0]!;
        var statuses = repository.Statuses.Where(s => s.Sha == sha).ToList();
        json["sha"] = sha;
        json["total_count"] = statuses.Count;
        json["state"] = statuses.Any(s => s.State is "failure" or "error") ? "failure" : statuses.All(s => s.State == "success") && statuses.Count > 0 ? "success" : "pending";
        json["statuses"] = new JsonArray([.. statuses.Select((s, i) =>
        {
            var status = template.DeepClone().AsObject();
            status["id"] = i + 1;
            status["context"] = s.Context;
            status["state"] = s.State;
            return (JsonNode)status;
        })]);
        json["commit_url"] = $"{request.Origin}repos/{repository.FullName}/commits/{sha}";
        json["url"] = $"{request.Origin}repos/{repository.FullName}/commits/{sha}/status";
        return new FakeResponse(200, json);
    }

    private FakeResponse ListMatchingRefs(FakeRequest request)
    {
        if (Find(request) is not { } repository)
        {
            return Error(404, "Not Found");
        }

        // The {ref} segment holds the rest of the path ("heads/claude/issue-12-"): the router keeps its slashes escaped.
        var prefix = Uri.UnescapeDataString(request.Value("ref"));
        var template = request.Operation.Example(200)!.Value[0];
        var refs = repository.Branches
            .Where(b => ("heads/" + b.Key).StartsWith(prefix, StringComparison.Ordinal))
            .OrderBy(b => b.Key, StringComparer.Ordinal)
            .Select(b =>
            {
                var json = Clone(template).AsObject();
                json["ref"] = "refs/heads/" + b.Key;
                json["url"] = $"{request.Origin}repos/{repository.FullName}/git/refs/heads/{b.Key}";
                json["object"]!["sha"] = b.Value;
                json["object"]!["url"] = $"{request.Origin}repos/{repository.FullName}/git/commits/{b.Value}";
                return (JsonNode)json;
            });
        return new FakeResponse(200, new JsonArray([.. refs]));
    }

    private FakeResponse CreatePull(FakeRequest request)
    {
        if (Find(request) is not { } repository)
        {
            return Error(404, "Not Found");
        }

        var body = request.Body!.AsObject();
        var head = body["head"]!.GetValue<string>();
        head = head.Contains(':', StringComparison.Ordinal) ? head.Split(':', 2)[1] : head;
        if (!repository.Branches.ContainsKey(head))
        {
            return Error(422, "Validation Failed: head does not exist");
        }

        if (repository.Issues.Any(i => i.IsPullRequest && i.State == "open" && i.Head == head))
        {
            return Error(422, $"A pull request already exists for {repository.Owner}:{head}.");
        }

        var pull = repository.OpenPullRequest(body["title"]!.GetValue<string>(), head, body["body"]?.GetValue<string>(), "orchestrator[bot]", body["draft"]?.GetValue<bool>() == true, body["base"]!.GetValue<string>());
        var json = PullJson(request.Operation.Example(201)!.Value, request, repository, pull);
        return new FakeResponse(201, json).With("Location", json["url"]!.GetValue<string>());
    }

    private FakeResponse ListRepositoryRuns(FakeRequest request)
    {
        if (Find(request) is not { } repository)
        {
            return Error(404, "Not Found");
        }

        var runs = repository.Runs.AsEnumerable();
        if (request.Query("head_sha") is { } sha)
        {
            runs = runs.Where(r => r.HeadSha == sha);
        }

        if (request.Query("status") is { } status)
        {
            runs = runs.Where(r => r.Status == status || r.Conclusion == status);
        }

        var list = runs.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).ToList();
        var page = Page(request, list, run => RunJson(request, repository, run));
        var response = new FakeResponse(200, new JsonObject { ["total_count"] = list.Count, ["workflow_runs"] = page.Body!.DeepClone() });
        foreach (var (name, value) in page.Headers)
        {
            response.Headers[name] = value;
        }

        return response;
    }

    /// <summary>Approving a run that waits in action_required queues it again; a run that does not wait is refused (403).</summary>
    private FakeResponse ApproveRun(FakeRequest request)
    {
        var id = long.Parse(request.Value("run_id"), CultureInfo.InvariantCulture);
        if (Find(request) is not { } repository || repository.Runs.FirstOrDefault(r => r.Id == id) is not { } run)
        {
            return Error(404, "Not Found");
        }

        if (run.Conclusion != "action_required")
        {
            return Error(403, "This run is not waiting for approval.");
        }

        run.Status = "queued";
        run.Conclusion = null;
        run.UpdatedAt = Time.GetUtcNow();
        return new FakeResponse(201, new JsonObject());
    }
}
