using Microsoft.Extensions.Options;
using Orchestrator.Discord;
using Orchestrator.GitHub;
using Orchestrator.Health;
using Orchestrator.Jobs;
using Orchestrator.Storage;
using Orchestrator.Workflow;

namespace Orchestrator.Hosting;

public static class OrchestratorBuilder
{
    /// <summary>Kestrel's own cap; each endpoint applies its tighter limit (GitHub's 25 MB, Discord's 256 KB).</summary>
    private const long MaxRequestBodyBytes = 26L * 1024 * 1024;

    public static WebApplicationBuilder AddOrchestrator(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = MaxRequestBodyBytes);
        builder.ConfigureUrls();
        builder.Logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddProblemDetails();
        services.AddSingleton<ConfigurationReport>();

        services.AddStorage();
        services.AddJobs();
        services.AddDiscord();
        services.AddGitHub();
        services.AddWorkflow();
        return builder;
    }

    public static WebApplication UseOrchestrator(this WebApplication app)
    {
        app.Services.GetRequiredService<ConfigurationReport>().LogAtStartup(app.Logger);
        app.UseRequestLogging();
        app.MapHealth();
        app.MapDiscord();
        app.MapGitHub();
        app.MapJobs();
        return app;
    }

    /// <summary>
    /// Listens on 127.0.0.1:{PORT} (8080 by default). PORT is what the Lambda Web Adapter sets; --urls or
    /// ASPNETCORE_URLS override the whole binding.
    /// </summary>
    private static void ConfigureUrls(this WebApplicationBuilder builder)
    {
        if (!string.IsNullOrEmpty(builder.Configuration["urls"]) || !string.IsNullOrEmpty(builder.Configuration["http_ports"]))
        {
            return;
        }

        var port = builder.Configuration["PORT"] ?? builder.Configuration["Orchestrator:Port"] ?? "8080";
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
    }

    internal static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, string section)
        where T : class =>
        services.AddOptions<T>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
}
