using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Octokit;

namespace Orchestrator.GitHub;

/// <summary><see cref="IGitHubSetupApi"/> over Octokit; endpoints Octokit does not model are read as raw JSON.</summary>
public sealed class GitHubSetupApi(IGitHubClientFactory clients, IOptionsMonitor<GitHubOptions> options, TimeProvider time) : IGitHubSetupApi
{
    private const int PageSize = 100;

    public async Task<GitHubIdentity> GetIdentityAsync(CancellationToken cancellationToken)
    {
        if (!options.CurrentValue.HasApiCredentials)
        {
            throw new GitHubNotConfiguredException();
        }

        if (clients.CreateForApp() is { } app)
        {
            using var json = await GetJsonAsync(app, "app", "the App", null, cancellationToken)
                ?? throw new GitHubApiException("GitHub does not know the configured App (GET /app answered 404).", HttpStatusCode.NotFound, null, new InvalidOperationException("GET /app 404"));
            var root = json.RootElement;
            var permissions = root.TryGetProperty("permissions", out var p) && p.ValueKind == JsonValueKind.Object
                ? p.EnumerateObject().ToDictionary(x => x.Name, x => x.Value.GetString() ?? string.Empty, StringComparer.Ordinal)
                : [];
            var events = root.TryGetProperty("events", out var e) && e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().Select(x => x.GetString() ?? string.Empty).ToList() : [];
            return new GitHubIdentity("app", root.TryGetProperty("slug", out var slug) ? slug.GetString() ?? "app" : "app", permissions, events, null);
        }

        var client = await clients.CreateAsync(string.Empty, cancellationToken);
        try
        {
            var user = await client.User.Current();
            var scopes = client.GetLastApiInfo()?.OauthScopes;
            return new GitHubIdentity("token", user.Login, new Dictionary<string, string>(), [], scopes is { Count: > 0 } ? [.. scopes] : null);
        }
        catch (ApiException ex)
        {
            throw GitHubErrors.Translate("the token", ex, time);
        }
    }

    public Task<GitHubRepositoryInfo?> GetRepositoryAsync(string repository, CancellationToken cancellationToken) =>
        CallAsync(repository, async client =>
        {
            var (owner, name) = GitHubRepository.Split(repository);
            try
            {
                var repo = await client.Repository.Get(owner, name);
                var permissions = repo.Permissions is { } p
                    ? new Dictionary<string, bool>(StringComparer.Ordinal) { ["admin"] = p.Admin, ["maintain"] = p.Maintain, ["push"] = p.Push, ["triage"] = p.Triage, ["pull"] = p.Pull }
                    : [];
                return new GitHubRepositoryInfo(repo.FullName, repo.DefaultBranch, repo.Archived, permissions);
            }
            catch (NotFoundException)
            {
                return null;
            }
        }, cancellationToken);

    public Task<bool> WorkflowExistsAsync(string repository, string workflowFile, CancellationToken cancellationToken) =>
        CallAsync(repository, async client =>
        {
            var (owner, name) = GitHubRepository.Split(repository);
            using var json = await GetJsonAsync(client, $"repos/{E(owner)}/{E(name)}/actions/workflows/{E(workflowFile)}", repository, null, cancellationToken);
            return json is not null;
        }, cancellationToken);

    public Task<bool> CanBeAssignedAsync(string repository, string login, CancellationToken cancellationToken) =>
        CallAsync(repository, client =>
        {
            var (owner, name) = GitHubRepository.Split(repository);
            return client.Issue.Assignee.CheckAssignee(owner, name, login);
        }, cancellationToken);

    public Task<IReadOnlyList<GitHubHook>> ListHooksAsync(string repository, CancellationToken cancellationToken) =>
        CallAsync(repository, async client =>
        {
            var (owner, name) = GitHubRepository.Split(repository);
            var hooks = await client.Repository.Hooks.GetAll(owner, name);
            return (IReadOnlyList<GitHubHook>)[.. hooks.Select(h => new GitHubHook(
                h.Id,
                h.Config.TryGetValue("url", out var url) ? url : null,
                h.Active,
                h.Config.TryGetValue("content_type", out var type) ? type : null,
                h.Config.TryGetValue("secret", out var secret) && !string.IsNullOrEmpty(secret),
                [.. h.Events]))];
        }, cancellationToken);

    public async Task<GitHubHook?> GetAppHookAsync(CancellationToken cancellationToken)
    {
        if (clients.CreateForApp() is not { } app)
        {
            return null;
        }

        var identity = await GetIdentityAsync(cancellationToken);
        using var json = await GetJsonAsync(app, "app/hook/config", "the App's webhook", null, cancellationToken);
        if (json is null)
        {
            return new GitHubHook(0, null, Active: false, null, HasSecret: false, identity.Events);
        }

        var root = json.RootElement;
        string? Text(string property) => root.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var url = Text("url");
        return new GitHubHook(0, url, Active: !string.IsNullOrEmpty(url), Text("content_type"), !string.IsNullOrEmpty(Text("secret")), identity.Events);
    }

    public async Task<IReadOnlyList<GitHubHookDelivery>> ListHookDeliveriesAsync(string? repository, long hookId, int max, CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, string> { ["per_page"] = Math.Clamp(max, 1, PageSize).ToString(CultureInfo.InvariantCulture) };
        if (repository is null)
        {
            var app = clients.CreateForApp() ?? throw new GitHubNotConfiguredException();
            using var json = await GetJsonAsync(app, "app/hook/deliveries", "the App's webhook", parameters, cancellationToken);
            return json is null ? [] : ReadDeliveries(json.RootElement, max);
        }

        return await CallAsync(repository, async client =>
        {
            var (owner, name) = GitHubRepository.Split(repository);
            using var json = await GetJsonAsync(client, $"repos/{E(owner)}/{E(name)}/hooks/{hookId.ToString(CultureInfo.InvariantCulture)}/deliveries", repository, parameters, cancellationToken);
            return json is null ? [] : ReadDeliveries(json.RootElement, max);
        }, cancellationToken);
    }

    internal static IReadOnlyList<GitHubHookDelivery> ReadDeliveries(JsonElement array, int max) =>
        [.. array.EnumerateArray().Take(max).Select(d => new GitHubHookDelivery(
            d.GetProperty("id").GetInt64(),
            d.GetProperty("guid").GetString() ?? string.Empty,
            d.GetProperty("delivered_at").GetDateTimeOffset(),
            d.TryGetProperty("redelivery", out var r) && r.ValueKind == JsonValueKind.True,
            d.TryGetProperty("status", out var s) ? s.GetString() ?? string.Empty : string.Empty,
            d.TryGetProperty("status_code", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetInt32() : 0,
            d.TryGetProperty("event", out var e) ? e.GetString() ?? string.Empty : string.Empty,
            d.TryGetProperty("action", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null))];

    private static string E(string segment) => Uri.EscapeDataString(segment);

    /// <summary>GET as raw JSON; null on 404.</summary>
    private async Task<JsonDocument?> GetJsonAsync(IGitHubClient client, string path, string what, Dictionary<string, string>? parameters, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            // Octokit keeps a JSON answer's body as text on the raw response; we read it with System.Text.Json.
            var response = await client.Connection.GetRaw(new Uri(path, UriKind.Relative), parameters ?? []);
            return response.HttpResponse.Body switch
            {
                string text => JsonDocument.Parse(text),
                byte[] bytes => JsonDocument.Parse(bytes),
                _ => throw new GitHubApiException($"GitHub answered {path} without a body.", response.HttpResponse.StatusCode, null, new InvalidOperationException(path)),
            };
        }
        catch (NotFoundException)
        {
            return null;
        }
        catch (ApiException ex)
        {
            throw GitHubErrors.Translate(what, ex, time);
        }
    }

    private Task<T> CallAsync<T>(string repository, Func<IGitHubClient, Task<T>> call, CancellationToken cancellationToken) =>
        GitHubErrors.CallAsync(clients, repository, call, time, cancellationToken);
}
