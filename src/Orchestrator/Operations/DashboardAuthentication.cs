using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.Extensions.Options;
using Orchestrator.GitHub;

namespace Orchestrator.Operations;

/// <summary>
/// Sign-in with GitHub (ASP.NET Core's OAuth handler) into an HTTP-only, secure, SameSite=Lax cookie. At sign-in the
/// user's login is read from GET /user and checked against <see cref="DashboardOptions.AllowedUsers"/>, then against
/// <see cref="DashboardOptions.AllowedTeams"/> (GET /orgs/{org}/teams/{team}/memberships/{login}, active); only then
/// does the cookie carry the admin claim that every page and button requires. The user's token is not kept.
/// </summary>
public static partial class DashboardAuthentication
{
    public const string CookieScheme = "orchestrator-admin";
    public const string GitHubScheme = "github";
    public const string AdminClaim = "orchestrator:admin";
    public const string LoginClaim = "urn:github:login";

    /// <summary>Where GitHub sends the user back after sign-in: the OAuth app's callback URL is the service's address + this.</summary>
    public const string CallbackPath = DashboardEndpoints.Root + "/signin-github";

    public static void Add(IServiceCollection services, DashboardOptions dashboard, GitHubOptions github)
    {
        var authentication = services.AddAuthentication(CookieScheme).AddCookie(CookieScheme, cookie =>
        {
            cookie.Cookie.Name = "orchestrator.admin";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
            cookie.SlidingExpiration = false;
            cookie.LoginPath = DashboardEndpoints.Root + "/signin";
            cookie.AccessDeniedPath = DashboardEndpoints.Root + "/denied";
        });
        if (!dashboard.OAuthConfigured)
        {
            return;
        }

        authentication.AddOAuth(GitHubScheme, oauth =>
        {
            oauth.SignInScheme = CookieScheme;
            oauth.ClientId = dashboard.ClientId!;
            oauth.ClientSecret = dashboard.ClientSecret!;
            oauth.CallbackPath = CallbackPath;
            oauth.AuthorizationEndpoint = new Uri(dashboard.OAuthBaseUrl, "login/oauth/authorize").AbsoluteUri;
            oauth.TokenEndpoint = new Uri(dashboard.OAuthBaseUrl, "login/oauth/access_token").AbsoluteUri;
            oauth.UserInformationEndpoint = new Uri(github.ApiBaseUrl, "user").AbsoluteUri;
            oauth.CorrelationCookie.SecurePolicy = CookieSecurePolicy.Always;
            oauth.CorrelationCookie.HttpOnly = true;
            oauth.UsePkce = true;
            if (dashboard.AllowedTeams.Count > 0)
            {
                oauth.Scope.Add("read:org");
            }

            oauth.Events.OnCreatingTicket = context => OnCreatingTicketAsync(context, github.ApiBaseUrl);
        });
    }

    private static async Task OnCreatingTicketAsync(OAuthCreatingTicketContext context, Uri apiBaseUrl)
    {
        var dashboard = context.HttpContext.RequestServices.GetRequiredService<IOptionsMonitor<DashboardOptions>>().CurrentValue;
        var logger = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DashboardAuthentication).FullName!);
        using var user = await GetAsync(context, context.Options.UserInformationEndpoint);
        var login = user.RootElement.GetProperty("login").GetString() ?? throw new InvalidOperationException("GitHub's /user has no login.");
        context.Identity!.AddClaim(new Claim(LoginClaim, login));
        context.Identity.AddClaim(new Claim(ClaimTypes.Name, login));

        var allowedBy = dashboard.AllowedUsers.Contains(login, StringComparer.OrdinalIgnoreCase) ? "user" : null;
        foreach (var team in allowedBy is null ? dashboard.AllowedTeams : [])
        {
            var (org, slug) = (team.Split('/', 2)[0], team.Split('/', 2)[^1]);
            var path = $"orgs/{Uri.EscapeDataString(org)}/teams/{Uri.EscapeDataString(slug)}/memberships/{Uri.EscapeDataString(login)}";
            using var membership = await GetAsync(context, new Uri(apiBaseUrl, path).AbsoluteUri, allowNotFound: true);
            if (membership?.RootElement.GetProperty("state").GetString() == "active")
            {
                allowedBy = "team " + team;
                break;
            }
        }

        if (allowedBy is not null)
        {
            context.Identity.AddClaim(new Claim(AdminClaim, allowedBy));
            Log.SignedIn(logger, login, allowedBy);
        }
        else
        {
            Log.Refused(logger, login);
        }
    }

    private static async Task<JsonDocument> GetAsync(OAuthCreatingTicketContext context, string url) =>
        (await GetAsync(context, url, allowNotFound: false))!;

    private static async Task<JsonDocument?> GetAsync(OAuthCreatingTicketContext context, string url, bool allowNotFound)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.github+json"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", context.AccessToken);
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Orchestrator", "1.0"));
        request.Headers.Add("X-GitHub-Api-Version", "2022-11-28");
        using var response = await context.Backchannel.SendAsync(request, context.HttpContext.RequestAborted);
        if (allowNotFound && response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(context.HttpContext.RequestAborted), cancellationToken: context.HttpContext.RequestAborted);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1310, Level = LogLevel.Information, Message = "Dashboard sign-in by {Login}, allowed as {AllowedBy}")]
        public static partial void SignedIn(ILogger logger, string login, string allowedBy);

        [LoggerMessage(EventId = 1311, Level = LogLevel.Warning, Message = "Dashboard sign-in by {Login} refused: not in Dashboard:AllowedUsers or an active member of Dashboard:AllowedTeams")]
        public static partial void Refused(ILogger logger, string login);
    }
}
