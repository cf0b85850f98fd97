using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orchestrator.Configuration;

namespace Orchestrator.GitHub;

public static class GitHubServices
{
    /// <summary>
    /// The GitHub adapter: webhook signature and endpoint, REST client, and processing of stored deliveries by the
    /// product's <paramref name="routes"/>, whose handlers are registered here.
    /// </summary>
    public static IServiceCollection AddGitHub(this IServiceCollection services, IReadOnlyList<GitHubEventRoute> routes)
    {
        services.AddSingleton(new GitHubEventCatalog(routes));
        services.AddValidatedOptions<GitHubOptions>(GitHubOptions.Section);
        services.AddSingleton<IValidateOptions<GitHubOptions>, GitHubOptionsValidator>();
        // Rebuilt when the secrets change (Parameter Store reload), so a rotation needs no restart.
        services.AddSingleton(sp => Reloadable.From(
            sp.GetRequiredService<IOptionsMonitor<GitHubOptions>>(),
            o => new WebhookSignature(o.Secrets())));
        services.AddTransient(sp => sp.GetRequiredService<Reloadable<WebhookSignature>>().Current);
        services.AddSingleton<WebhookEventReader>();
        services.AddGitHubHttpClient();
        services.AddHttpClient(GitHubResilience.ClientName).AddHttpMessageHandler(sp => new GitHubRateLimitObserver(sp.GetService<Telemetry.OrchestratorMetrics>()));
        services.TryAddSingleton<IGitHubClientFactory, GitHubClientFactory>();
        services.TryAddSingleton<IGitHubApi, GitHubApi>();
        services.TryAddSingleton<IGitHubSetupApi, GitHubSetupApi>();
        services.TryAddSingleton<IGitHubHookRedelivery, GitHubHookRedelivery>();
        services.AddSingleton<Jobs.IJobHandler, WebhookJobHandler>();
        foreach (var route in routes)
        {
            services.TryAddScoped(route.Handler);
        }
        return services;
    }

    public static IEndpointRouteBuilder MapGitHub(this IEndpointRouteBuilder app)
    {
        app.MapPost("/github/webhooks", WebhookEndpoint.HandleAsync);
        return app;
    }
}
