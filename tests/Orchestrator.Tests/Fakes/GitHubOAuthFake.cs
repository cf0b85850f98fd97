using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Orchestrator.Tests.Fakes;

/// <summary>
/// GitHub's OAuth web flow (github.com/login/oauth/authorize and /access_token, which are not part of the REST API's
/// OpenAPI description) on 127.0.0.1: the "browser user" is whoever <see cref="SignedInAs"/> names, who consents at once.
/// It checks the client id and secret, the redirect URI, the one-time code and the PKCE verifier, then issues a
/// token that the <see cref="GitHubFake"/> (OpenAPI-checked) accepts for GET /user as that login.
/// </summary>
public sealed class GitHubOAuthFake : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Grant> _codes = new(StringComparer.Ordinal);

    private GitHubOAuthFake(WebApplication app, string clientId, string clientSecret)
    {
        _app = app;
        app.MapGet("/login/oauth/authorize", (HttpContext context) =>
        {
            var query = context.Request.Query;
            if (query["client_id"] != clientId || string.IsNullOrEmpty(query["redirect_uri"]) || string.IsNullOrEmpty(query["state"]))
            {
                return Results.BadRequest("unknown client or missing redirect_uri/state");
            }

            var code = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));
            _codes[code] = new Grant(SignedInAs, query["redirect_uri"]!, query["code_challenge"].FirstOrDefault(), query["scope"].FirstOrDefault() ?? string.Empty);
            Authorizations++;
            return Results.Redirect($"{query["redirect_uri"]}?code={code}&state={Uri.EscapeDataString(query["state"]!)}");
        });
        app.MapPost("/login/oauth/access_token", async (HttpContext context) =>
        {
            var form = await context.Request.ReadFormAsync();
            if (form["client_id"] != clientId || form["client_secret"] != clientSecret
                || !_codes.TryRemove(form["code"].ToString(), out var grant) || grant.RedirectUri != form["redirect_uri"])
            {
                return Results.Json(new Dictionary<string, string> { ["error"] = "bad_verification_code" });
            }

            if (grant.Challenge is not null
                && Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(form["code_verifier"].ToString()))) != grant.Challenge)
            {
                return Results.Json(new Dictionary<string, string> { ["error"] = "invalid_grant" });
            }

            var token = "gho_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            var api = Api ?? throw new InvalidOperationException("Set Api to the GitHub fake that serves GET /user.");
            api.AddToken(token);
            api.NameTokenUser(token, grant.Login);
            return Results.Json(new Dictionary<string, string> { ["access_token"] = token, ["token_type"] = "bearer", ["scope"] = grant.Scope });
        });
    }

    /// <summary>The REST fake whose GET /user the issued tokens are good for.</summary>
    public GitHubFake? Api { get; set; }

    /// <summary>The GitHub account the browser is signed in to.</summary>
    public string SignedInAs { get; set; } = "octocat";

    public int Authorizations { get; private set; }

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<GitHubOAuthFake> StartAsync(string clientId, string clientSecret, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var fake = new GitHubOAuthFake(builder.Build(), clientId, clientSecret);
        await fake._app.StartAsync(cancellationToken);
        var address = fake._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return fake;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private sealed record Grant(string Login, string RedirectUri, string? Challenge, string Scope);
}
