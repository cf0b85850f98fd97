using Orchestrator.Configuration;
using Orchestrator.Discord;
using Orchestrator.GitHub;
using Orchestrator.Health;
using Orchestrator.Jobs;
using Orchestrator.Secrets;
using Orchestrator.Storage;
using Orchestrator.Telemetry;
using Orchestrator.Workflow;

namespace Orchestrator.Hosting;

public static class OrchestratorBuilder
{
    /// <summary>Kestrel's own cap; each endpoint applies its tighter limit (GitHub's 25 MB, Discord's 256 KB).</summary>
    private const long MaxRequestBodyBytes = 26L * 1024 * 1024;

    /// <summary>The port when neither AWS_LWA_PORT nor PORT is set; the Lambda Web Adapter's default too.</summary>
    public const string DefaultPort = "8080";

    public static WebApplicationBuilder AddOrchestrator(this WebApplicationBuilder builder)
    {
        // Last, so secrets from Parameter Store win over the environment (only when a path is configured).
        builder.Configuration.AddParameterStore();
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = MaxRequestBodyBytes);
        builder.ConfigureUrls();
        // One compact line per event (json, or simple for a person); framework chatter at Warning unless configured.
        builder.Logging.AddCompactConsole(builder.Environment, builder.Configuration);

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddProblemDetails();
        services.AddSingleton<ConfigurationReport>();
        services.AddValidatedOptions<ServiceOptions>(ServiceOptions.Section);
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<ServiceOptions>, ServiceOptionsValidator>();

        services.AddTelemetry(builder.Configuration);
        services.AddStorage();
        services.AddJobs();
        services.AddDiscord(CommandTable.All);
        services.AddGitHub(GitHubEventTable.All);
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
    /// Listens on 127.0.0.1:{port}, where port is AWS_LWA_PORT, else PORT, else Orchestrator:Port, else 8080: the order in
    /// which the Lambda Web Adapter picks the port it forwards to, so the app and the adapter agree from the same
    /// environment. --urls or ASPNETCORE_URLS override the whole binding. A port that is not a number from 1 to 65535
    /// (including a variable set but empty) stops the start with one line naming it, rather than a bind elsewhere.
    /// </summary>
    private static void ConfigureUrls(this WebApplicationBuilder builder)
    {
        if (!string.IsNullOrEmpty(builder.Configuration["urls"]) || !string.IsNullOrEmpty(builder.Configuration["http_ports"]))
        {
            return;
        }

        builder.WebHost.UseUrls($"http://127.0.0.1:{Port(builder.Configuration)}");
    }

    /// <summary>The port the service listens on (see <see cref="ConfigureUrls"/>); throws <see cref="SettingsException"/> naming a bad one.</summary>
    public static int Port(IConfiguration configuration)
    {
        foreach (var key in new[] { "AWS_LWA_PORT", "PORT", "Orchestrator:Port" })
        {
            if (configuration[key] is { } text)
            {
                return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535
                    ? port
                    : throw new SettingsException(Settings.Invalid(key, "expected a port number from 1 to 65535", text));
            }
        }

        return int.Parse(DefaultPort, System.Globalization.CultureInfo.InvariantCulture);
    }
}
