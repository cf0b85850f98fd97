using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Orchestrator.Tests.Fakes;

/// <summary>
/// GitHub's REST API for the operations the Orchestrator uses, over an in-memory world, checked against
/// GitHub's own OpenAPI description (@octokit/openapi). Answers start from the description's examples and
/// are patched with the world's state. Every request needs credentials: a personal access token added with
/// <see cref="AddToken"/>, an installation token the fake issued, or (for the App endpoints) an RS256 JWT
/// signed by a registered App key.
/// </summary>
public sealed partial class GitHubFake : ApiFake
{
    private const string DocsUrl = "https://docs.github.com/rest";
    private readonly Dictionary<string, FakeRepository> _repositories = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _tokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RSA> _appKeys = new(StringComparer.Ordinal);
    private readonly List<FakeInstallation> _installations = [];
    private readonly List<FakeInstallationToken> _issued = [];
    private readonly Dictionary<string, int> _remaining = new(StringComparer.Ordinal);
    private long _nextId = 9_000_000;

    private GitHubFake(TimeProvider time)
        : base(OpenApiDocument.GitHub(), time, "#/components/schemas/basic-error")
    {
        Map("GET", "/repos/{owner}/{repo}/issues", ListIssues);
        Map("GET", "/repos/{owner}/{repo}/issues/{issue_number}", GetIssue);
        Map("PATCH", "/repos/{owner}/{repo}/issues/{issue_number}", UpdateIssue);
        Map("GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments", ListComments);
        Map("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", CreateComment);
        Map("POST", "/repos/{owner}/{repo}/issues/{issue_number}/assignees", AddAssignees);
        Map("POST", "/repos/{owner}/{repo}/issues/{issue_number}/labels", AddLabels);
        Map("POST", "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches", Dispatch);
        Map("GET", "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs", ListRuns);
        Map("GET", "/repos/{owner}/{repo}/actions/runs/{run_id}", GetRun);
        Map("GET", "/repos/{owner}/{repo}/pulls", ListPulls);
        Map("GET", "/repos/{owner}/{repo}/pulls/{pull_number}", GetPull);
        Map("POST", "/app/installations/{installation_id}/access_tokens", CreateInstallationToken);
        Map("GET", "/repos/{owner}/{repo}/installation", GetRepositoryInstallation);
        MapSetup();
        MapAgentEndpoints();
        MapRedelivery();
    }

    /// <summary>Installation tokens expire after this long (GitHub: one hour).</summary>
    public TimeSpan InstallationTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    public IReadOnlyList<FakeInstallationToken> IssuedTokens
    {
        get
        {
            lock (_issued)
            {
                return _issued.ToList();
            }
        }
    }

    public static async Task<GitHubFake> StartAsync(TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var fake = new GitHubFake(time ?? TimeProvider.System);
        await fake.StartServerAsync(cancellationToken);
        return fake;
    }

    /// <summary>The repository "owner/name", created empty on first use.</summary>
    public FakeRepository Repository(string fullName)
    {
        lock (_repositories)
        {
            if (!_repositories.TryGetValue(fullName, out var repository))
            {
                var parts = fullName.Split('/');
                repository = new FakeRepository(parts[0], parts[1], 1_296_269 + _repositories.Count, Time);
                _repositories[fullName] = repository;
            }

            return repository;
        }
    }

    /// <summary>A personal access token that may use every repository.</summary>
    public void AddToken(string token)
    {
        lock (_tokens)
        {
            _tokens.Add(token);
        }
    }

    /// <summary>Registers a GitHub App by its public key; JWTs must be RS256-signed with the matching private key.</summary>
    public void RegisterApp(long appId, string publicKeyPem)
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(publicKeyPem);
        lock (_appKeys)
        {
            _appKeys[appId.ToString(CultureInfo.InvariantCulture)] = rsa;
        }
    }

    public FakeInstallation AddInstallation(long installationId, long appId, params string[] repositories)
    {
        var installation = new FakeInstallation(installationId, appId, repositories[0].Split('/')[0], repositories);
        lock (_installations)
        {
            _installations.Add(installation);
        }

        return installation;
    }

    /// <summary>403 with Retry-After and GitHub's "secondary rate limit" message.</summary>
    public void FailNextWithSecondaryRateLimit(HttpMethod method, string pathPattern, int retryAfterSeconds, int count = 1) =>
        FailNext(method, pathPattern, HttpStatusCode.Forbidden, new Dictionary<string, string>
        {
            ["Retry-After"] = retryAfterSeconds.ToString(CultureInfo.InvariantCulture),
            ["x-ratelimit-limit"] = "5000",
            ["x-ratelimit-remaining"] = "4990",
            ["x-ratelimit-reset"] = Epoch(Time.GetUtcNow().AddHours(1)),
        }, count, new JsonObject
        {
            ["message"] = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.",
            ["documentation_url"] = "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
        });

    /// <summary>403 with x-ratelimit-remaining: 0 and x-ratelimit-reset <paramref name="resetIn"/> from now.</summary>
    public void FailNextWithPrimaryRateLimit(HttpMethod method, string pathPattern, TimeSpan resetIn, int count = 1) =>
        FailNext(method, pathPattern, HttpStatusCode.Forbidden, new Dictionary<string, string>
        {
            ["x-ratelimit-limit"] = "5000",
            ["x-ratelimit-remaining"] = "0",
            ["x-ratelimit-used"] = "5000",
            ["x-ratelimit-reset"] = Epoch(Time.GetUtcNow().Add(resetIn)),
            ["x-ratelimit-resource"] = "core",
        }, count, new JsonObject
        {
            ["message"] = "API rate limit exceeded for installation ID 1.",
            ["documentation_url"] = "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting",
        });

    protected override bool SupportsConditionalRequests => true;

    protected override JsonNode FaultBody(int status) => new JsonObject
    {
        ["message"] = status switch
        {
            429 => "Too Many Requests",
            502 => "Server Error",
            503 => "Service Unavailable",
            _ => "Error",
        },
        ["documentation_url"] = DocsUrl,
    };

    protected override JsonNode ViolationBody(string message) => new JsonObject
    {
        ["message"] = "Invalid request (the fake's OpenAPI check): " + message,
        ["documentation_url"] = DocsUrl,
        ["status"] = "400",
    };

    protected override void Decorate(FakeRequest? request, FakeResponse response)
    {
        var identity = request?.Header("Authorization") ?? "anonymous";
        int remaining;
        lock (_remaining)
        {
            remaining = _remaining[identity] = Math.Max(0, _remaining.GetValueOrDefault(identity, 5000) - 1);
        }

        response.Headers.TryAdd("x-ratelimit-limit", "5000");
        response.Headers.TryAdd("x-ratelimit-remaining", remaining.ToString(CultureInfo.InvariantCulture));
        response.Headers.TryAdd("x-ratelimit-used", (5000 - remaining).ToString(CultureInfo.InvariantCulture));
        response.Headers.TryAdd("x-ratelimit-reset", Epoch(Time.GetUtcNow().AddHours(1)));
        response.Headers.TryAdd("x-ratelimit-resource", "core");
        response.Headers.TryAdd("x-github-api-version-selected", "2022-11-28");
        response.Headers.TryAdd("x-github-request-id", Guid.NewGuid().ToString("N")[..20].ToUpperInvariant());
    }

    protected override FakeResponse? Authenticate(FakeRequest request)
    {
        var header = request.Header("Authorization");
        if (string.IsNullOrWhiteSpace(header))
        {
            return Error(401, "Requires authentication");
        }

        var parts = header.Split(' ', 2, StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !(parts[0].Equals("token", StringComparison.OrdinalIgnoreCase) || parts[0].Equals("Bearer", StringComparison.OrdinalIgnoreCase)))
        {
            return Error(401, "Bad credentials");
        }

        var credential = parts[1];
        var appRoute = IsAppOperation(request.Operation.OperationId);
        if (appRoute)
        {
            return VerifyJwt(credential) is null
                ? Error(401, "A JSON web token could not be decoded")
                : null;
        }

        lock (_tokens)
        {
            if (_tokens.Contains(credential))
            {
                return null;
            }
        }

        FakeInstallationToken? issued;
        lock (_issued)
        {
            issued = _issued.FirstOrDefault(t => t.Token == credential);
        }

        if (issued is null || issued.ExpiresAt <= Time.GetUtcNow())
        {
            return Error(401, "Bad credentials");
        }

        var installation = _installations.Single(i => i.Id == issued.InstallationId);
        if (request.PathValues.TryGetValue("owner", out var owner) && request.PathValues.TryGetValue("repo", out var repo)
            && !installation.Repositories.Contains($"{owner}/{repo}", StringComparer.OrdinalIgnoreCase))
        {
            return Error(404, "Not Found"); // GitHub hides repositories a token cannot see
        }

        return null;
    }

    private static FakeResponse Error(int status, string message) =>
        new(status, new JsonObject { ["message"] = message, ["documentation_url"] = DocsUrl });

    private static string Epoch(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    private static string Iso(DateTimeOffset at) => Timestamp(at);

    private static JsonNode? IsoOrNull(DateTimeOffset? at) => at is { } value ? Iso(value) : null;

    private static int IntParameter(FakeRequest request, string name, int fallback) =>
        request.Query(name) is { } text && int.TryParse(text, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    /// <summary>The JWT's app id when it is a valid RS256 token of a registered App within its lifetime; null otherwise.</summary>
    private string? VerifyJwt(string jwt)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            using var header = JsonDocument.Parse(Base64Url(parts[0]));
            using var payload = JsonDocument.Parse(Base64Url(parts[1]));
            if (header.RootElement.GetProperty("alg").GetString() != "RS256")
            {
                return null;
            }

            var iss = payload.RootElement.GetProperty("iss");
            var appId = iss.ValueKind == JsonValueKind.Number ? iss.GetInt64().ToString(CultureInfo.InvariantCulture) : iss.GetString()!;
            RSA? key;
            lock (_appKeys)
            {
                key = _appKeys.GetValueOrDefault(appId);
            }

            if (key is null || !key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
            {
                return null;
            }

            var now = Time.GetUtcNow().ToUnixTimeSeconds();
            var iat = payload.RootElement.GetProperty("iat").GetInt64();
            var exp = payload.RootElement.GetProperty("exp").GetInt64();

            // GitHub: "iat" may be up to 60 s in the future (clock drift), "exp" at most 10 minutes after "iat".
            return iat <= now + 60 && exp > now && exp - iat <= 600 ? appId : null;
        }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException or CryptographicException)
        {
            return null;
        }
    }

    private static byte[] Base64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - padded.Length % 4) % 4);
        return Convert.FromBase64String(padded);
    }

    private FakeRepository? Find(FakeRequest request)
    {
        lock (_repositories)
        {
            return _repositories.GetValueOrDefault($"{request.Value("owner")}/{request.Value("repo")}");
        }
    }

    private long NextId() => Interlocked.Increment(ref _nextId);

    // ---- issues ----

    private FakeResponse ListIssues(FakeRequest request)
    {
        if (Find(request) is not { } repository)
        {
            return Error(404, "Not Found");
        }

        var state = request.Query("state") ?? "open";
        var labels = (request.Query("labels") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var ascending = request.Query("direction") == "asc";
        var matching = repository.Issues
            .Where(i => state == "all" || i.State == state)
            .Where(i => labels.All(l => i.Labels.Contains(l, StringComparer.OrdinalIgnoreCase)));
        matching = ascending ? matching.OrderBy(i => i.CreatedAt).ThenBy(i => i.Number) : matching.OrderByDescending(i => i.CreatedAt).ThenByDescending(i => i.Number);
        return Page(request, matching.ToList(), issue => IssueJson(request, repository, issue));
    }

    private FakeResponse GetIssue(FakeRequest request) =>
        WithIssue(request, (repository, issue) => new FakeResponse(200, IssueJson(request, repository, issue)));

    private FakeResponse UpdateIssue(FakeRequest request) => WithIssue(request, (repository, issue) =>
    {
        var body = request.Body as JsonObject ?? [];
        if (body["title"] is { } title)
        {
            issue.Title = title.ToString();
        }

        if (body.ContainsKey("body"))
        {
            issue.Body = body["body"]?.GetValue<string>();
        }

        if (body["state"]?.GetValue<string>() is { } state && state != issue.State)
        {
            issue.State = state;
            issue.ClosedAt = state == "closed" ? Time.GetUtcNow() : null;
            issue.StateReason = state == "closed" ? body["state_reason"]?.GetValue<string>() ?? "completed" : "reopened";
        }

        if (body["labels"] is JsonArray labels)
        {
            issue.Labels.Clear();
            issue.Labels.AddRange(labels.Select(l => l is JsonObject o ? o["name"]!.GetValue<string>() : l!.GetValue<string>()));
        }

        if (body["assignees"] is JsonArray assignees)
        {
            issue.Assignees.Clear();
            issue.Assignees.AddRange(assignees.Select(a => a!.GetValue<string>()));
        }

        issue.UpdatedAt = Time.GetUtcNow();
        return new FakeResponse(200, IssueJson(request, repository, issue));
    });

    private FakeResponse ListComments(FakeRequest request) => WithIssue(request, (repository, issue) =>
        Page(request, issue.Comments, comment => CommentJson(request, repository, issue, comment)));

    private FakeResponse CreateComment(FakeRequest request) => WithIssue(request, (repository, issue) =>
    {
        var comment = new FakeComment(NextId(), request.Body!["body"]!.GetValue<string>(), "orchestrator[bot]", Time.GetUtcNow());
        issue.Comments.Add(comment);
        issue.UpdatedAt = comment.CreatedAt;
        var json = CommentJson(request, repository, issue, comment);
        return new FakeResponse(201, json).With("Location", json["url"]!.GetValue<string>());
    });

    private FakeResponse AddAssignees(FakeRequest request) => WithIssue(request, (repository, issue) =>
    {
        foreach (var assignee in request.Body?["assignees"] as JsonArray ?? [])
        {
            var login = assignee is JsonObject o ? o["login"]!.GetValue<string>() : assignee!.GetValue<string>();
            if (!issue.Assignees.Contains(login, StringComparer.OrdinalIgnoreCase))
            {
                issue.Assignees.Add(login);
            }
        }

        return new FakeResponse(201, IssueJson(request, repository, issue));
    });

    private FakeResponse AddLabels(FakeRequest request) => WithIssue(request, (repository, issue) =>
    {
        // The body may be {"labels": [...]}, a bare array, or a single string; items may be names or {"name": ...}.
        var items = request.Body switch
        {
            JsonObject o when o["labels"] is JsonArray a => a.ToList(),
            JsonArray a => a.ToList(),
            JsonValue v => [v],
            _ => [],
        };
        foreach (var item in items)
        {
            var name = item is JsonObject o ? o["name"]!.GetValue<string>() : item!.GetValue<string>();
            if (!issue.Labels.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                issue.Labels.Add(name);
            }
        }

        return new FakeResponse(200, new JsonArray(issue.Labels.Select(l => LabelJson(request, repository, l)).ToArray()));
    });

    private FakeResponse WithIssue(FakeRequest request, Func<FakeRepository, FakeIssue, FakeResponse> act)
    {
        if (Find(request) is not { } repository)
        {
            return Error(404, "Not Found");
        }

        var number = int.Parse(request.Value("issue_number"), CultureInfo.InvariantCulture);
        var issue = repository.Issues.FirstOrDefault(i => i.Number == number);
        return issue is null ? Error(404, "Not Found") : act(repository, issue);
    }

    // ---- actions ----

    private FakeResponse Dispatch(FakeRequest request)
    {
        if (Find(request) is not { } repository || FindWorkflow(repository, request.Value("workflow_id")) is not { } workflow)
        {
            return Error(404, "Not Found");
        }

        var body = request.Body!.AsObject();
        var inputs = (body["inputs"] as JsonObject ?? []).ToDictionary(p => p.Key, p => p.Value?.ToString() ?? string.Empty, StringComparer.Ordinal);
        var unexpected = inputs.Keys.Where(k => !workflow.Inputs.Contains(k, StringComparer.Ordinal)).ToList();
        if (unexpected.Count > 0)
        {
            return new FakeResponse(422, new JsonObject
            {
                ["message"] = $"Unexpected inputs provided: [\"{string.Join("\", \"", unexpected)}\"]",
                ["documentation_url"] = "https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event",
            });
        }

        var branch = body["ref"]!.GetValue<string>();
        branch = branch.StartsWith("refs/heads/", StringComparison.Ordinal) ? branch["refs/heads/".Length..] : branch;
        var title = workflow.RunName is null
            ? workflow.Name
            : InputExpression().Replace(workflow.RunName, m => inputs.GetValueOrDefault(m.Groups[1].Value, string.Empty));
        var run = new FakeWorkflowRun(NextId(), workflow.Id, workflow.Path, workflow.Name, title, "workflow_dispatch", branch, repository.Runs.Count(r => r.WorkflowId == workflow.Id) + 1, Time.GetUtcNow())
        {
            Inputs = inputs,
        };
        repository.Runs.Add(run);
        run.HeadSha = repository.BranchSha(branch);
        if (body["return_run_details"]?.GetValue<bool>() == true && ReturnsRunDetails)
        {
            var details = Clone(request.Operation.Example(200)!.Value).AsObject();
            details["workflow_run_id"] = run.Id;
            details["run_url"] = $"{request.Origin}repos/{repository.FullName}/actions/runs/{run.Id}";
            details["html_url"] = $"https://github.com/{repository.FullName}/actions/runs/{run.Id}";
            return new FakeResponse(200, details);
        }

        return new FakeResponse(204);
    }

    private FakeResponse ListRuns(FakeRequest request)
    {
        if (Find(request) is not { } repository || FindWorkflow(repository, request.Value("workflow_id")) is not { } workflow)
        {
            return Error(404, "Not Found");
        }

        var runs = repository.Runs.Where(r => r.WorkflowId == workflow.Id);
        if (request.Query("event") is { } @event)
        {
            runs = runs.Where(r => r.Event == @event);
        }

        if (request.Query("branch") is { } branch)
        {
            runs = runs.Where(r => r.HeadBranch == branch);
        }

        if (request.Query("status") is { } status)
        {
            runs = runs.Where(r => r.Status == status || r.Conclusion == status);
        }

        if (request.Query("created") is { } created)
        {
            var filter = CreatedFilter(created);
            runs = runs.Where(r => filter(r.CreatedAt));
        }

        var list = runs.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).ToList();
        var page = Page(request, list, run => RunJson(request, repository, run));
        var body = Clone(request.Operation.Example(200)!.Value).AsObject();
        body["total_count"] = list.Count;
        body["workflow_runs"] = page.Body;
        var response = new FakeResponse(200, body);
        foreach (var (name, value) in page.Headers)
        {
            response.Headers[name] = value;
        }

        return response;
    }

    private FakeResponse GetRun(FakeRequest request)
    {
        var id = long.Parse(request.Value("run_id"), CultureInfo.InvariantCulture);
        return Find(request) is { } repository && repository.Runs.FirstOrDefault(r => r.Id == id) is { } run
            ? new FakeResponse(200, RunJson(request, repository, run))
            : Error(404, "Not Found");
    }

    private static FakeWorkflow? FindWorkflow(FakeRepository repository, string id) =>
        repository.Workflows.FirstOrDefault(w => w.FileName == id || w.Id.ToString(CultureInfo.InvariantCulture) == id);

    /// <summary>GitHub's search-style date filter: "&gt;=2026-11-25T09:00:00Z", "&lt;=…", "a..b" or a single date.</summary>
    private static Func<DateTimeOffset, bool> CreatedFilter(string created)
    {
        static DateTimeOffset Parse(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        if (created.Contains("..", StringComparison.Ordinal))
        {
            var range = created.Split("..");
            var from = range[0] is "*" or "" ? DateTimeOffset.MinValue : Parse(range[0]);
            var to = range[1] is "*" or "" ? DateTimeOffset.MaxValue : Parse(range[1]);
            return at => at >= from && at <= to;
        }

        foreach (var (op, test) in new (string, Func<int, bool>)[] { (">=", c => c >= 0), ("<=", c => c <= 0), (">", c => c > 0), ("<", c => c < 0) })
        {
            if (created.StartsWith(op, StringComparison.Ordinal))
            {
                var bound = Parse(created[op.Length..]);
                return at => test(at.CompareTo(bound));
            }
        }

        var day = DateOnly.Parse(created, CultureInfo.InvariantCulture);
        return at => DateOnly.FromDateTime(at.UtcDateTime) == day;
    }

    // ---- pull requests ----

    private FakeResponse ListPulls(FakeRequest request)
    {
        if (Find(request) is not { } repository)
        {
            return Error(404, "Not Found");
        }

        var state = request.Query("state") ?? "open";
        var pulls = repository.Issues.Where(i => i.IsPullRequest && (state == "all" || i.State == state));
        if (request.Query("head") is { } head)
        {
            var branch = head.Contains(':', StringComparison.Ordinal) ? head.Split(':', 2)[1] : head;
            pulls = pulls.Where(p => p.Head == branch);
        }

        if (request.Query("base") is { } @base)
        {
            pulls = pulls.Where(p => p.Base == @base);
        }

        var list = pulls.OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.Number).ToList();
        var template = request.Operation.Example(200)!.Value[0];
        return Page(request, list, pull => PullJson(template, request, repository, pull));
    }

    private FakeResponse GetPull(FakeRequest request)
    {
        var number = int.Parse(request.Value("pull_number"), CultureInfo.InvariantCulture);
        if (Find(request) is not { } repository || repository.Issues.FirstOrDefault(i => i.Number == number && i.IsPullRequest) is not { } pull)
        {
            return Error(404, "Not Found");
        }

        var json = PullJson(request.Operation.Example(200)!.Value, request, repository, pull);
        json["merged"] = pull.Merged;
        json["mergeable"] = pull.State == "open" ? true : null;
        json["comments"] = pull.Comments.Count;
        return new FakeResponse(200, json);
    }

    // ---- apps ----

    private FakeResponse CreateInstallationToken(FakeRequest request)
    {
        var id = long.Parse(request.Value("installation_id"), CultureInfo.InvariantCulture);
        var appId = VerifyJwt(request.Header("Authorization")!.Split(' ', 2)[1]);
        var installation = _installations.FirstOrDefault(i => i.Id == id && i.AppId.ToString(CultureInfo.InvariantCulture) == appId);
        if (installation is null)
        {
            return Error(404, "Not Found");
        }

        var token = new FakeInstallationToken("ghs_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(18)), id, Time.GetUtcNow().Add(InstallationTokenLifetime));
        lock (_issued)
        {
            _issued.Add(token);
        }

        var json = Clone(request.Operation.Example(201)!.Value).AsObject();
        json["token"] = token.Token;
        json["expires_at"] = Iso(token.ExpiresAt);
        json.Remove("repositories");
        return new FakeResponse(201, json);
    }

    private FakeResponse GetRepositoryInstallation(FakeRequest request)
    {
        var appId = VerifyJwt(request.Header("Authorization")!.Split(' ', 2)[1]);
        var fullName = $"{request.Value("owner")}/{request.Value("repo")}";
        var installation = _installations.FirstOrDefault(i =>
            i.AppId.ToString(CultureInfo.InvariantCulture) == appId && i.Repositories.Contains(fullName, StringComparer.OrdinalIgnoreCase));
        if (installation is null)
        {
            return Error(404, "Not Found");
        }

        var json = Clone(request.Operation.Example(200)!.Value).AsObject();
        json["id"] = installation.Id;
        json["app_id"] = installation.AppId;
        json["account"]!["login"] = installation.Account;
        json["access_tokens_url"] = $"{request.Origin}app/installations/{installation.Id}/access_tokens";
        json["html_url"] = $"https://github.com/organizations/{installation.Account}/settings/installations/{installation.Id}";
        json["repository_selection"] = "selected";
        return new FakeResponse(200, json);
    }

    // ---- JSON built from the description's examples ----

    private JsonObject IssueJson(FakeRequest request, FakeRepository repository, FakeIssue issue)
    {
        var json = Clone(Example("issue")).AsObject();
        var api = $"{request.Origin}repos/{repository.FullName}";
        json["id"] = issue.Id;
        json["node_id"] = NodeId("I_", issue.Id);
        json["url"] = $"{api}/issues/{issue.Number}";
        json["repository_url"] = api;
        json["labels_url"] = $"{api}/issues/{issue.Number}/labels{{/name}}";
        json["comments_url"] = $"{api}/issues/{issue.Number}/comments";
        json["events_url"] = $"{api}/issues/{issue.Number}/events";
        json["html_url"] = $"https://github.com/{repository.FullName}/{(issue.IsPullRequest ? "pull" : "issues")}/{issue.Number}";
        json["number"] = issue.Number;
        json["state"] = issue.State;
        json["state_reason"] = issue.StateReason;
        json["title"] = issue.Title;
        json["body"] = issue.Body;
        json["user"] = User(issue.Author);
        json["labels"] = new JsonArray(issue.Labels.Select(l => LabelJson(request, repository, l)).ToArray());
        json["assignee"] = issue.Assignees.Count > 0 ? User(issue.Assignees[0]) : null;
        json["assignees"] = new JsonArray(issue.Assignees.Select(a => (JsonNode)User(a)).ToArray());
        json["milestone"] = null;
        json["locked"] = false;
        json["comments"] = issue.Comments.Count;
        json["created_at"] = Iso(issue.CreatedAt);
        json["updated_at"] = Iso(issue.UpdatedAt);
        json["closed_at"] = IsoOrNull(issue.ClosedAt);
        json["closed_by"] = issue.ClosedAt is null ? null : User("octocat");
        json["author_association"] = "MEMBER";
        if (issue.IsPullRequest)
        {
            json["pull_request"] = new JsonObject
            {
                ["url"] = $"{api}/pulls/{issue.Number}",
                ["html_url"] = $"https://github.com/{repository.FullName}/pull/{issue.Number}",
                ["diff_url"] = $"https://github.com/{repository.FullName}/pull/{issue.Number}.diff",
                ["patch_url"] = $"https://github.com/{repository.FullName}/pull/{issue.Number}.patch",
                ["merged_at"] = issue.Merged ? IsoOrNull(issue.ClosedAt) : null,
            };
            json["draft"] = issue.Draft;
        }
        else
        {
            json.Remove("pull_request");
            json.Remove("draft");
        }

        return json;
    }

    private JsonObject CommentJson(FakeRequest request, FakeRepository repository, FakeIssue issue, FakeComment comment)
    {
        var json = Clone(Example("issue-comment")).AsObject();
        json["id"] = comment.Id;
        json["node_id"] = NodeId("IC_", comment.Id);
        json["url"] = $"{request.Origin}repos/{repository.FullName}/issues/comments/{comment.Id}";
        json["html_url"] = $"https://github.com/{repository.FullName}/issues/{issue.Number}#issuecomment-{comment.Id}";
        json["issue_url"] = $"{request.Origin}repos/{repository.FullName}/issues/{issue.Number}";
        json["body"] = comment.Body;
        json["user"] = User(comment.Author, comment.Author.EndsWith("[bot]", StringComparison.Ordinal) ? "Bot" : "User");
        json["created_at"] = Iso(comment.CreatedAt);
        json["updated_at"] = Iso(comment.CreatedAt);
        json["author_association"] = "NONE";
        return json;
    }

    private JsonObject LabelJson(FakeRequest request, FakeRepository repository, string name)
    {
        var json = Clone(Example("label-items")[0]).AsObject();
        json["id"] = Math.Abs(name.ToUpperInvariant().Aggregate(17L, (h, c) => unchecked((h * 31) + c)) % 1_000_000_000);
        json["node_id"] = NodeId("LA_", json["id"]!.GetValue<long>());
        json["url"] = $"{request.Origin}repos/{repository.FullName}/labels/{Uri.EscapeDataString(name)}";
        json["name"] = name;
        json["description"] = null;
        json["color"] = "ededed";
        json["default"] = false;
        return json;
    }

    private JsonObject RunJson(FakeRequest request, FakeRepository repository, FakeWorkflowRun run)
    {
        var json = Clone(Example("workflow-run")).AsObject();
        var api = $"{request.Origin}repos/{repository.FullName}/actions/runs/{run.Id}";
        json["id"] = run.Id;
        json["name"] = run.Name;
        json["node_id"] = NodeId("WFR_", run.Id);
        json["head_branch"] = run.HeadBranch;
        json["head_sha"] = run.HeadSha;
        json["path"] = $"{run.Path}@{run.HeadBranch}";
        json["run_number"] = run.RunNumber;
        json["event"] = run.Event;
        json["display_title"] = run.DisplayTitle;
        json["status"] = run.Status;
        json["conclusion"] = run.Conclusion;
        json["workflow_id"] = run.WorkflowId;
        json["url"] = api;
        json["html_url"] = $"https://github.com/{repository.FullName}/actions/runs/{run.Id}";
        json["created_at"] = Iso(run.CreatedAt);
        json["updated_at"] = Iso(run.UpdatedAt);
        json["run_started_at"] = Iso(run.CreatedAt);
        json["jobs_url"] = $"{api}/jobs";
        json["logs_url"] = $"{api}/logs";
        json["check_suite_url"] = $"{request.Origin}repos/{repository.FullName}/check-suites/{run.Id + 1}";
        json["artifacts_url"] = $"{api}/artifacts";
        json["cancel_url"] = $"{api}/cancel";
        json["rerun_url"] = $"{api}/rerun";
        json["workflow_url"] = $"{request.Origin}repos/{repository.FullName}/actions/workflows/{run.WorkflowId}";
        json["pull_requests"] = new JsonArray();
        return json;
    }

    private JsonObject PullJson(JsonElement template, FakeRequest request, FakeRepository repository, FakeIssue pull)
    {
        var json = Clone(template).AsObject();
        var api = $"{request.Origin}repos/{repository.FullName}";
        json["id"] = pull.Id;
        json["node_id"] = NodeId("PR_", pull.Id);
        json["url"] = $"{api}/pulls/{pull.Number}";
        json["html_url"] = $"https://github.com/{repository.FullName}/pull/{pull.Number}";
        json["issue_url"] = $"{api}/issues/{pull.Number}";
        json["number"] = pull.Number;
        json["state"] = pull.State;
        json["title"] = pull.Title;
        json["body"] = pull.Body;
        json["user"] = User(pull.Author);
        // A pull request list's labels have a description string (the issue list allows null).
        json["labels"] = new JsonArray(pull.Labels.Select(l => { var label = LabelJson(request, repository, l); label["description"] = string.Empty; return (JsonNode)label; }).ToArray());
        json["assignee"] = pull.Assignees.Count > 0 ? User(pull.Assignees[0]) : null;
        json["assignees"] = new JsonArray(pull.Assignees.Select(a => (JsonNode)User(a)).ToArray());
        json["milestone"] = null;
        json["draft"] = pull.Draft;
        json["created_at"] = Iso(pull.CreatedAt);
        json["updated_at"] = Iso(pull.UpdatedAt);
        json["closed_at"] = IsoOrNull(pull.ClosedAt);
        json["merged_at"] = pull.Merged ? IsoOrNull(pull.ClosedAt) : null;
        json["head"]!["ref"] = pull.Head;
        json["head"]!["sha"] = pull.HeadSha;
        json["head"]!["label"] = $"{repository.Owner}:{pull.Head}";
        json["base"]!["ref"] = pull.Base;
        json["base"]!["label"] = $"{repository.Owner}:{pull.Base}";

        // The description's own example lists teams without their required "type"; this fake requests no reviews.
        json["requested_teams"] = new JsonArray();
        json["requested_reviewers"] = new JsonArray();
        return json;
    }

    private JsonObject User(string login, string type = "User")
    {
        var json = Clone(Example("issue").GetProperty("user")).AsObject();
        json["login"] = login;
        json["id"] = Math.Abs(login.Aggregate(7L, (h, c) => unchecked((h * 31) + c)) % 100_000_000);
        json["type"] = type;
        json["url"] = $"https://api.github.com/users/{login}";
        json["html_url"] = $"https://github.com/{login}";
        return json;
    }

    private static string NodeId(string prefix, long id) => prefix + Convert.ToBase64String(BitConverter.GetBytes(id)).TrimEnd('=');

    private JsonElement Example(string name) => Document.ResolveReference($"#/components/examples/{name}/value");

    /// <summary>Slices a list by page/per_page (default 30, at most 100) and adds GitHub's Link header.</summary>
    private static FakeResponse Page<T>(FakeRequest request, IReadOnlyList<T> items, Func<T, JsonNode> render)
    {
        var perPage = Math.Clamp(IntParameter(request, "per_page", 30), 1, 100);
        var page = Math.Max(1, IntParameter(request, "page", 1));
        var last = Math.Max(1, (items.Count + perPage - 1) / perPage);
        var slice = items.Skip((page - 1) * perPage).Take(perPage).Select(render).ToArray();
        var response = new FakeResponse(200, new JsonArray(slice));
        var links = new List<string>();
        if (page > 1)
        {
            links.Add($"<{PageUrl(request, page - 1)}>; rel=\"prev\"");
        }

        if (page < last)
        {
            links.Add($"<{PageUrl(request, page + 1)}>; rel=\"next\"");
            links.Add($"<{PageUrl(request, last)}>; rel=\"last\"");
        }

        if (page > 1)
        {
            links.Add($"<{PageUrl(request, 1)}>; rel=\"first\"");
        }

        if (links.Count > 0)
        {
            response.Headers["Link"] = string.Join(", ", links);
        }

        return response;
    }

    private static string PageUrl(FakeRequest request, int page)
    {
        var query = request.QueryPairs.Where(q => q.Key != "page")
            .Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value)}")
            .Append($"page={page}");
        return $"{request.Origin.ToString().TrimEnd('/')}{request.Path}?{string.Join("&", query)}";
    }

    [GeneratedRegex(@"\$\{\{\s*inputs\.([A-Za-z0-9_-]+)\s*\}\}")]
    private static partial Regex InputExpression();
}
