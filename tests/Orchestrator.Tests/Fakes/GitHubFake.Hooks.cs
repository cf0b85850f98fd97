using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Orchestrator.Tests.Fakes;

/// <summary>
/// Setup as GitHub shows it: the authenticated user or App, repositories, workflows, assignees, webhooks, and each
/// webhook's delivery log. <see cref="DeliverAsync"/> sends a delivery as GitHub does (signed POST to the hook's URL)
/// and records its outcome in the log, as GitHub's "Recent Deliveries" does.
/// </summary>
public sealed partial class GitHubFake
{
    /// <summary>Operations GitHub authenticates with the App's JWT rather than a token.</summary>
    private static readonly HashSet<string> AppOperations = new(StringComparer.Ordinal)
    {
        "apps/create-installation-access-token",
        "apps/get-repo-installation",
        "apps/get-authenticated",
        "apps/get-webhook-config-for-app",
        "apps/list-webhook-deliveries",
        "apps/get-webhook-delivery",
        "apps/redeliver-webhook-delivery",
    };

    private readonly Dictionary<string, FakeAppSettings> _apps = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _tokenUsers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<FakeHook>> _hooks = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _assignable = new(StringComparer.OrdinalIgnoreCase);
    private readonly HttpClient _sender = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>The App's own webhook (GitHub App settings → Webhook), when the service is a GitHub App.</summary>
    public FakeHook? AppHook { get; set; }

    /// <summary>The permissions and events of a registered App (GET /app).</summary>
    public FakeAppSettings App(long appId)
    {
        lock (_apps)
        {
            var key = appId.ToString(CultureInfo.InvariantCulture);
            return _apps.TryGetValue(key, out var app) ? app : _apps[key] = new FakeAppSettings(appId);
        }
    }

    /// <summary>The login a token authenticates as (GET /user); "octocat" when not named.</summary>
    public void NameTokenUser(string token, string login)
    {
        lock (_tokenUsers)
        {
            _tokenUsers[token] = login;
        }
    }

    /// <summary>Lets <paramref name="login"/> be assigned to issues of <paramref name="repository"/>.</summary>
    public void AddAssignable(string repository, string login)
    {
        lock (_assignable)
        {
            _assignable.Add($"{repository}#{login}");
        }
    }

    /// <summary>Adds a repository webhook.</summary>
    public FakeHook AddHook(string repository, string url, string? secret, params string[] events)
    {
        var hook = new FakeHook(NextId(), url, secret, events);
        lock (_hooks)
        {
            if (!_hooks.TryGetValue(repository, out var list))
            {
                _hooks[repository] = list = [];
            }

            list.Add(hook);
        }

        return hook;
    }

    public IReadOnlyList<FakeHook> Hooks(string repository)
    {
        lock (_hooks)
        {
            return _hooks.TryGetValue(repository, out var list) ? [.. list] : [];
        }
    }

    /// <summary>
    /// Delivers an event as GitHub does: a POST of the payload to the hook's URL with X-GitHub-Event, X-GitHub-Delivery,
    /// X-GitHub-Hook-ID and X-Hub-Signature-256 (HMAC-SHA256 of the body with the hook's secret), then records the
    /// outcome in the hook's delivery log. A connection that fails is logged with status code 0, as GitHub does.
    /// </summary>
    public async Task<FakeHookDelivery> DeliverAsync(FakeHook hook, string eventName, string payload, bool redelivery = false, string? guid = null, CancellationToken cancellationToken = default)
    {
        var action = JsonNode.Parse(payload) is JsonObject body && body["action"] is JsonValue a ? a.GetValue<string>() : null;
        var delivery = new FakeHookDelivery(NextId(), guid ?? Guid.NewGuid().ToString(), Time.GetUtcNow(), redelivery, eventName, action, payload);
        using var request = new HttpRequestMessage(HttpMethod.Post, hook.Url) { Content = new StringContent(payload, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(hook.ContentType == "json" ? "application/json" : "application/x-www-form-urlencoded");
        request.Headers.Add("X-GitHub-Event", eventName);
        request.Headers.Add("X-GitHub-Delivery", delivery.Guid);
        request.Headers.Add("X-GitHub-Hook-ID", hook.Id.ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("User-Agent", "GitHub-Hookshot/fake");
        if (hook.Secret is { } secret)
        {
            request.Headers.Add("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(payload))));
        }

        var started = Time.GetTimestamp();
        try
        {
            using var response = await _sender.SendAsync(request, cancellationToken);
            delivery.StatusCode = (int)response.StatusCode;
            delivery.Status = response.IsSuccessStatusCode ? "OK" : $"Invalid HTTP Response: {(int)response.StatusCode}";
        }
        catch (HttpRequestException)
        {
            delivery.StatusCode = 0;
            delivery.Status = "failed to connect to host";
        }

        delivery.Duration = Time.GetElapsedTime(started).TotalSeconds;
        lock (hook.Deliveries)
        {
            hook.Deliveries.Add(delivery);
        }

        return delivery;
    }

    private void MapSetup()
    {
        Map("GET", "/user", GetAuthenticatedUser);
        Map("GET", "/app", GetAuthenticatedApp);
        Map("GET", "/repos/{owner}/{repo}", GetRepository);
        Map("GET", "/repos/{owner}/{repo}/actions/workflows/{workflow_id}", GetWorkflow);
        Map("GET", "/repos/{owner}/{repo}/assignees/{assignee}", CheckAssignee);
        Map("GET", "/repos/{owner}/{repo}/hooks", ListHooks);
        Map("GET", "/repos/{owner}/{repo}/hooks/{hook_id}/deliveries", ListHookDeliveries);
        Map("GET", "/app/hook/config", GetAppHookConfig);
        Map("GET", "/app/hook/deliveries", ListAppHookDeliveries);
    }

    private static bool IsAppOperation(string? operationId) => operationId is not null && AppOperations.Contains(operationId);

    private string? AppIdOf(FakeRequest request) => VerifyJwt(request.Header("Authorization")!.Split(' ', 2)[1]);

    private FakeResponse GetAuthenticatedUser(FakeRequest request)
    {
        var token = request.Header("Authorization")!.Split(' ', 2)[1];
        string login;
        lock (_tokenUsers)
        {
            login = _tokenUsers.GetValueOrDefault(token, "octocat");
        }

        var json = Clone(request.Operation.Example(200, "response-with-public-and-private-profile-information")!.Value).AsObject();
        json["login"] = login;
        json["html_url"] = $"https://github.com/{login}";
        return new FakeResponse(200, json).With("X-OAuth-Scopes", string.Empty);
    }

    private FakeResponse GetAuthenticatedApp(FakeRequest request)
    {
        var app = App(long.Parse(AppIdOf(request)!, CultureInfo.InvariantCulture));
        var json = Clone(Example("integration")).AsObject();
        json["id"] = app.Id;
        json["slug"] = app.Slug;
        json["name"] = app.Slug;
        json["html_url"] = $"https://github.com/apps/{app.Slug}";
        var permissions = new JsonObject();
        foreach (var (name, level) in app.Permissions)
        {
            permissions[name] = level;
        }

        json["permissions"] = permissions;
        json["events"] = new JsonArray([.. app.Events.Select(e => (JsonNode)e)]);
        return new FakeResponse(200, json);
    }

    private FakeResponse GetRepository(FakeRequest request)
    {
        if (Find(request) is not { } repository)
        {
            return Error(404, "Not Found");
        }

        var json = Clone(request.Operation.Example(200)!.Value).AsObject();
        json["id"] = repository.Id;
        json["name"] = repository.Name;
        json["full_name"] = repository.FullName;
        json["owner"]!["login"] = repository.Owner;
        json["html_url"] = $"https://github.com/{repository.FullName}";
        json["url"] = $"{request.Origin}repos/{repository.FullName}";
        json["default_branch"] = repository.DefaultBranch;
        json["archived"] = false;
        json["fork"] = false;
        json["language"] = "C#";
        json.Remove("source"); // a fork's upstream; this repository is no fork
        json.Remove("parent");
        return new FakeResponse(200, json) { IsEffect = false };
    }

    private FakeResponse GetWorkflow(FakeRequest request)
    {
        if (Find(request) is not { } repository || FindWorkflow(repository, request.Value("workflow_id")) is not { } workflow)
        {
            return Error(404, "Not Found");
        }

        var json = Clone(request.Operation.Example(200)!.Value).AsObject();
        json["id"] = workflow.Id;
        json["name"] = workflow.Name;
        json["path"] = workflow.Path;
        json["state"] = "active";
        return new FakeResponse(200, json) { IsEffect = false };
    }

    private FakeResponse CheckAssignee(FakeRequest request)
    {
        bool assignable;
        lock (_assignable)
        {
            assignable = _assignable.Contains($"{request.Value("owner")}/{request.Value("repo")}#{request.Value("assignee")}");
        }

        return assignable && Find(request) is not null ? new FakeResponse(204) { IsEffect = false } : Error(404, "Not Found");
    }

    private FakeResponse ListHooks(FakeRequest request)
    {
        if (Find(request) is not { } repository)
        {
            return Error(404, "Not Found");
        }

        return Page(request, Hooks(repository.FullName), hook => HookJson(request, repository, hook));
    }

    private FakeResponse ListHookDeliveries(FakeRequest request)
    {
        var id = long.Parse(request.Value("hook_id"), CultureInfo.InvariantCulture);
        if (Find(request) is not { } repository || Hooks(repository.FullName).FirstOrDefault(h => h.Id == id) is not { } hook)
        {
            return Error(404, "Not Found");
        }

        return DeliveriesPage(request, hook, repository.Id);
    }

    private FakeResponse GetAppHookConfig(FakeRequest request)
    {
        if (AppHook is not { } hook)
        {
            return Error(404, "Not Found");
        }

        var json = new JsonObject
        {
            ["url"] = hook.Url,
            ["content_type"] = hook.ContentType,
            ["insecure_ssl"] = "0",
        };
        if (hook.Secret is not null)
        {
            json["secret"] = "********";
        }

        return new FakeResponse(200, json) { IsEffect = false };
    }

    private FakeResponse ListAppHookDeliveries(FakeRequest request) =>
        AppHook is { } hook ? DeliveriesPage(request, hook, repositoryId: null) : new FakeResponse(200, new JsonArray()) { IsEffect = false };

    /// <summary>Newest first, per_page at most 100, as GitHub lists them (cursor paging is not needed by the service).</summary>
    private static FakeResponse DeliveriesPage(FakeRequest request, FakeHook hook, long? repositoryId)
    {
        var perPage = Math.Clamp(IntParameter(request, "per_page", 30), 1, 100);
        var status = request.Query("status");
        List<FakeHookDelivery> deliveries;
        lock (hook.Deliveries)
        {
            deliveries = [.. hook.Deliveries];
        }

        var items = deliveries
            .Where(d => status is null || (status == "success") == d.Succeeded)
            .OrderByDescending(d => d.DeliveredAt).ThenByDescending(d => d.Id)
            .Take(perPage)
            .Select(d => (JsonNode)new JsonObject
            {
                ["id"] = d.Id,
                ["guid"] = d.Guid,
                ["delivered_at"] = Iso(d.DeliveredAt),
                ["redelivery"] = d.Redelivery,
                ["duration"] = Math.Round(d.Duration, 3),
                ["status"] = d.Status,
                ["status_code"] = d.StatusCode,
                ["event"] = d.Event,
                ["action"] = d.Action,
                ["installation_id"] = null,
                ["repository_id"] = repositoryId,
            })
            .ToArray();
        return new FakeResponse(200, new JsonArray(items)) { IsEffect = false };
    }

    private JsonObject HookJson(FakeRequest request, FakeRepository repository, FakeHook hook)
    {
        var json = Clone(Example("hook-items").EnumerateArray().First()).AsObject();
        var api = $"{request.Origin}repos/{repository.FullName}/hooks/{hook.Id}";
        json["id"] = hook.Id;
        json["active"] = hook.Active;
        json["events"] = new JsonArray([.. hook.Events.Select(e => (JsonNode)e)]);
        var config = new JsonObject { ["content_type"] = hook.ContentType, ["insecure_ssl"] = "0", ["url"] = hook.Url };
        if (hook.Secret is not null)
        {
            config["secret"] = "********";
        }

        json["config"] = config;
        json["url"] = api;
        json["test_url"] = api + "/test";
        json["ping_url"] = api + "/pings";
        json["deliveries_url"] = api + "/deliveries";
        return json;
    }
}

/// <summary>A webhook: where GitHub sends, with which secret, for which events.</summary>
public sealed class FakeHook(long id, string url, string? secret, IReadOnlyList<string> events)
{
    public long Id { get; } = id;

    public string Url { get; set; } = url;

    public string? Secret { get; set; } = secret;

    public IReadOnlyList<string> Events { get; set; } = events;

    public bool Active { get; set; } = true;

    /// <summary>"json" or "form".</summary>
    public string ContentType { get; set; } = "json";

    /// <summary>The delivery log, oldest first.</summary>
    public List<FakeHookDelivery> Deliveries { get; } = [];
}

/// <summary>One attempt to deliver an event, as GitHub's delivery log records it.</summary>
public sealed class FakeHookDelivery(long id, string guid, DateTimeOffset deliveredAt, bool redelivery, string eventName, string? action, string payload)
{
    public long Id { get; } = id;

    public string Guid { get; } = guid;

    public DateTimeOffset DeliveredAt { get; } = deliveredAt;

    public bool Redelivery { get; } = redelivery;

    public string Event { get; } = eventName;

    public string? Action { get; } = action;

    /// <summary>The body that was sent, kept for redelivery.</summary>
    public string Payload { get; } = payload;

    public int StatusCode { get; set; }

    public string Status { get; set; } = "pending";

    public double Duration { get; set; }

    public bool Succeeded => StatusCode is >= 200 and < 300;
}

/// <summary>What GET /app says of a registered App.</summary>
public sealed class FakeAppSettings(long id)
{
    public long Id { get; } = id;

    public string Slug { get; set; } = "orchestrator-test";

    public Dictionary<string, string> Permissions { get; } = new(StringComparer.Ordinal);

    public List<string> Events { get; } = [];
}
