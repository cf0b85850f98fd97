using System.Globalization;
using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Orchestrator.Configuration;
using Orchestrator.GitHub;
using Orchestrator.Runs;
using Orchestrator.Storage;
using Orchestrator.Workflow;
using Orchestrator.Workflow.Commands;

namespace Orchestrator.Operations;

/// <summary>
/// The read-only dashboard at /admin (off unless Orchestrator:Dashboard:Enabled): runs, deliveries, jobs and the audit
/// log, server-rendered. With GitHub OAuth configured every page needs a signed-in allowed user, and the two buttons
/// (replay a delivery, retry a dead letter) need the antiforgery token too. Without OAuth it answers only a request
/// from loopback to a service that listens only on loopback, read-only.
/// </summary>
public static partial class DashboardEndpoints
{
    public const string Root = "/admin";

    public static IServiceCollection AddDashboard(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<DashboardOptions>(DashboardOptions.Section).PostConfigure(o => o.SplitLists());
        var dashboard = new DashboardOptions();
        configuration.GetSection(DashboardOptions.Section).Bind(dashboard);
        dashboard.SplitLists();
        if (!dashboard.Enabled)
        {
            return services;
        }

        // The sign-in cookie, the antiforgery tokens and the OAuth state are protected with these keys: every instance
        // must share them (on Lambda as many run as requests need, each for minutes), so they live in the store.
        services.AddDataProtection().SetApplicationName("Orchestrator");
        services.AddOptions<KeyManagementOptions>().Configure<IStoreBackend>((keys, store) =>
        {
            if (store.DataProtectionKeys is { } shared)
            {
                keys.XmlRepository = shared;
            }
        });

        var github = new GitHubOptions();
        configuration.GetSection(GitHubOptions.Section).Bind(github);
        DashboardAuthentication.Add(services, dashboard, github);
        services.AddAuthorization();
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "orchestrator.antiforgery";

            // Secure whenever the request came over HTTPS (behind a TLS proxy, through X-Forwarded-Proto): antiforgery
            // refuses to run at all on plain HTTP with Always, which local loopback use needs.
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.FormFieldName = "__csrf";
        });
        return services;
    }

    public static WebApplication MapDashboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.Services.GetRequiredService<IOptions<DashboardOptions>>().Value.Enabled)
        {
            return app;
        }

        // Behind the Lambda Web Adapter or a tunnel (both on loopback) the request arrived over HTTPS: the OAuth
        // callback URL and the cookies' Secure flag must say so.
        app.UseForwardedHeaders(new ForwardedHeadersOptions { ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto });
        app.UseAuthentication();
        var admin = app.MapGroup(Root);
        admin.MapGet(string.Empty, (Delegate)RunsAsync);
        admin.MapGet("/runs/{id}", RunAsync);
        admin.MapGet("/deliveries", (Delegate)DeliveriesAsync);
        admin.MapGet("/jobs", (Delegate)JobsAsync);
        admin.MapGet("/audit", (Delegate)AuditAsync);
        admin.MapGet("/stats", (Delegate)StatsAsync);
        admin.MapPost("/deliveries/{id}/replay", ReplayAsync);
        admin.MapPost("/jobs/{id}/retry", RetryAsync);
        admin.MapGet("/signin", SignIn);
        admin.MapPost("/signout", (Delegate)SignOutAsync);
        admin.MapGet("/denied", Denied);
        return app;
    }

    private static Task<IResult> RunsAsync(HttpContext context) => PageAsync(context, "Runs", async (queries, access, ct) =>
        DashboardPages.Runs(await queries.QueueAsync(ct), await queries.ListRunsAsync(null, null, null, 100, ct)));

    private static Task<IResult> RunAsync(HttpContext context, string id) => PageAsync(context, "Run " + id, async (queries, access, ct) =>
        await queries.GetRunAsync(id, ct) is { } run ? DashboardPages.Run(run) : null);

    private static Task<IResult> DeliveriesAsync(HttpContext context) => PageAsync(context, "Deliveries", async (queries, access, ct) =>
    {
        var eventName = context.Request.Query["event"].FirstOrDefault();
        var status = context.Request.Query["status"].FirstOrDefault();
        var duplicated = string.Equals(context.Request.Query["duplicated"].FirstOrDefault(), "true", StringComparison.OrdinalIgnoreCase);
        var since = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().AddDays(-1);
        return DashboardPages.Deliveries(await queries.ListDeliveriesAsync(eventName, status, duplicated, since, 100, ct), access);
    });

    private static Task<IResult> JobsAsync(HttpContext context) => PageAsync(context, "Jobs", async (queries, access, ct) =>
        DashboardPages.Jobs(await queries.QueueAsync(ct), await queries.ListJobsAsync(null, 100, ct), access));

    private static Task<IResult> AuditAsync(HttpContext context) => PageAsync(context, "Audit log", async (queries, access, ct) =>
    {
        var since = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().AddDays(-7);
        return DashboardPages.Audit(await queries.ListAuditAsync(since, null, null, 200, ct));
    });

    /// <summary>The scoreboard: ?days (1-365, 30), ?repo and ?size (S, M, L) as /stats takes them; a wrong value is a 400.</summary>
    private static async Task<IResult> StatsAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var days = StatsCommand.DefaultDays;
        if (query["days"].FirstOrDefault() is { } daysText && (!int.TryParse(daysText, NumberStyles.None, CultureInfo.InvariantCulture, out days) || days is < 1 or > StatsCommand.MaxDays))
        {
            return Html(DashboardPages.Message("Bad request", $"days must be a whole number from 1 to {StatsCommand.MaxDays}.", Root + "/stats", "The last 30 days"), StatusCodes.Status400BadRequest);
        }

        IssueSize? size = null;
        if (query["size"].FirstOrDefault() is { Length: > 0 } sizeText && (size = Routing.ParseSize(sizeText)) is null)
        {
            return Html(DashboardPages.Message("Bad request", "size must be S, M or L.", Root + "/stats", "Every size"), StatusCodes.Status400BadRequest);
        }

        var repository = query["repo"].FirstOrDefault() is { Length: > 0 } repo ? repo : null;
        return await PageAsync(context, "Scoreboard", async (_, _, ct) =>
            DashboardPages.Stats(await context.RequestServices.GetRequiredService<ScoreboardQuery>().ScoresAsync(repository, days, size, ct), days, repository, size));
    }

    private static Task<IResult> ReplayAsync(HttpContext context, string id) =>
        ActAsync(context, "/deliveries", (actions, actor, ct) => actions.ReplayAsync(id, actor, ct));

    private static Task<IResult> RetryAsync(HttpContext context, string id) =>
        ActAsync(context, "/jobs", (actions, actor, ct) => actions.RetryAsync(id, actor, ct));

    private static IResult SignIn(HttpContext context)
    {
        var options = context.RequestServices.GetRequiredService<IOptions<DashboardOptions>>().Value;
        return options.OAuthConfigured
            ? Results.Challenge(new AuthenticationProperties { RedirectUri = Root }, [DashboardAuthentication.GitHubScheme])
            : Results.Redirect(Root);
    }

    private static async Task<IResult> SignOutAsync(HttpContext context)
    {
        if (!await ValidAntiforgeryAsync(context))
        {
            return Html(DashboardPages.Message("Refused", "The form was not sent by this dashboard (missing or wrong CSRF token)."), StatusCodes.Status400BadRequest);
        }

        await context.SignOutAsync(DashboardAuthentication.CookieScheme);
        return Results.Redirect(Root);
    }

    private static HtmlResult Denied(HttpContext context) =>
        Html(DashboardPages.Message("Not allowed", "Your GitHub account is not in Dashboard:AllowedUsers nor an active member of a team in Dashboard:AllowedTeams."), StatusCodes.Status403Forbidden);

    private static async Task<IResult> PageAsync(HttpContext context, string title, Func<OperatorQueries, DashboardAccess, CancellationToken, Task<string?>> render)
    {
        var (access, refusal) = await AccessAsync(context);
        if (refusal is not null)
        {
            return refusal;
        }

        var options = context.RequestServices.GetRequiredService<IOptions<DashboardOptions>>().Value;
        string? body;
        try
        {
            body = await render(context.RequestServices.GetRequiredService<OperatorQueries>(), access!, context.RequestAborted);
        }
        catch (StoreUnavailableException)
        {
            return Html(DashboardPages.Message("Store unavailable", "The store did not answer; this page reloads when it does."), StatusCodes.Status503ServiceUnavailable);
        }

        if (body is null)
        {
            return Html(DashboardPages.Message("Not found", $"Nothing is stored under {title}.", Root, "All runs"), StatusCodes.Status404NotFound);
        }

        var query = context.Request.Query;
        return Html(DashboardPages.Layout(access!, title, body, options.RefreshSeconds, query["done"].FirstOrDefault(), query["error"].FirstOrDefault()), StatusCodes.Status200OK);
    }

    private static async Task<IResult> ActAsync(HttpContext context, string page, Func<OperatorActions, string, CancellationToken, Task<ActionResult>> act)
    {
        var (access, refusal) = await AccessAsync(context);
        if (refusal is not null)
        {
            return refusal;
        }

        if (!access!.CanAct)
        {
            return Html(DashboardPages.Message("Read-only", "Local mode is read-only: configure GitHub sign-in to use the buttons."), StatusCodes.Status403Forbidden);
        }

        if (!await ValidAntiforgeryAsync(context))
        {
            Log.CsrfRefused(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DashboardEndpoints).FullName!), access.Login!, context.Request.Path);
            return Html(DashboardPages.Message("Refused", "The form was not sent by this dashboard (missing or wrong CSRF token). Nothing was done."), StatusCodes.Status400BadRequest);
        }

        var actions = context.RequestServices.GetRequiredService<OperatorActions>();
        try
        {
            var result = await act(actions, "github:" + access.Login, context.RequestAborted);
            return Results.Redirect($"{Root}{page}?done={Uri.EscapeDataString(result.Message)}", permanent: false, preserveMethod: false);
        }
        catch (OperatorException ex)
        {
            return Results.Redirect($"{Root}{page}?error={Uri.EscapeDataString(ex.Message)}");
        }
    }

    /// <summary>Who may look, or the answer for who may not.</summary>
    private static async Task<(DashboardAccess? Access, IResult? Refusal)> AccessAsync(HttpContext context)
    {
        var options = context.RequestServices.GetRequiredService<IOptions<DashboardOptions>>().Value;
        if (!options.OAuthConfigured)
        {
            return IsLocal(context)
                ? (new DashboardAccess(null, Local: true, string.Empty), null)
                : (null, Html(DashboardPages.Message("Sign-in required", "Without GitHub sign-in (Orchestrator:Dashboard:ClientId and ClientSecret) the dashboard answers only on loopback, to a service that listens only there."), StatusCodes.Status403Forbidden));
        }

        var result = await context.AuthenticateAsync(DashboardAuthentication.CookieScheme);
        if (!result.Succeeded || result.Principal is not { } user)
        {
            return (null, Html(DashboardPages.Message("Sign-in required", "The dashboard is for the team's operators.", Root + "/signin", "Sign in with GitHub"), StatusCodes.Status401Unauthorized));
        }

        context.User = user;
        var login = user.FindFirstValue(DashboardAuthentication.LoginClaim) ?? "?";
        if (user.FindFirst(DashboardAuthentication.AdminClaim) is null)
        {
            return (null, Html(DashboardPages.Message("Not allowed", $"{login} is not in Dashboard:AllowedUsers nor an active member of a team in Dashboard:AllowedTeams."), StatusCodes.Status403Forbidden));
        }

        var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        var field = $"<input type=\"hidden\" name=\"{System.Text.Encodings.Web.HtmlEncoder.Default.Encode(antiforgery.FormFieldName)}\" value=\"{System.Text.Encodings.Web.HtmlEncoder.Default.Encode(antiforgery.RequestToken ?? string.Empty)}\">";
        return (new DashboardAccess(login, Local: false, field), null);
    }

    /// <summary>Headers a tunnel, proxy or the Lambda Web Adapter adds when it relays a request from elsewhere.</summary>
    private static readonly string[] RelayHeaders = ["X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Original-Proto", "X-Original-For", "Forwarded", "X-Real-IP", "CF-Connecting-IP", "X-Amzn-Trace-Id"];

    /// <summary>
    /// Both ends on loopback, the server bound to loopback only, addressed by a loopback name, and not relayed: nobody
    /// else can reach the pages. A tunnel (which the setup guide uses) or the Lambda Web Adapter also connects from
    /// loopback, so a relayed request — any forwarding header, or a public Host — is not local.
    /// </summary>
    private static bool IsLocal(HttpContext context)
    {
        if (context.Connection.RemoteIpAddress is not { } remote || !IPAddress.IsLoopback(remote))
        {
            return false;
        }

        var host = context.Request.Host.Host.Trim('[', ']');
        if (RelayHeaders.Any(h => context.Request.Headers.ContainsKey(h))
            || !(host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var hostIp) && IPAddress.IsLoopback(hostIp))))
        {
            return false;
        }

        var addresses = context.RequestServices.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        return addresses.All(a => Uri.TryCreate(a.Replace("*", "0.0.0.0", StringComparison.Ordinal).Replace("+", "0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri)
            && (uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip))));
    }

    private static async Task<bool> ValidAntiforgeryAsync(HttpContext context)
    {
        try
        {
            await context.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(context);
            return true;
        }
        catch (AntiforgeryValidationException)
        {
            return false;
        }
    }

    private static HtmlResult Html(string html, int status) => new(html, status);

    /// <summary>HTML with the headers that keep it from being framed, sniffed, cached or made to run scripts.</summary>
    internal sealed class HtmlResult(string html, int status) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = status;
            response.ContentType = "text/html; charset=utf-8";
            response.Headers.CacheControl = "no-store";
            response.Headers.XContentTypeOptions = "nosniff";
            response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
            response.Headers["Referrer-Policy"] = "same-origin";
            return response.WriteAsync(html, httpContext.RequestAborted);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1312, Level = LogLevel.Warning, Message = "Dashboard action by {Login} on {Path} refused: missing or wrong CSRF token")]
        public static partial void CsrfRefused(ILogger logger, string login, string path);
    }
}
