using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orchestrator.Hosting;

namespace Orchestrator.GitHub;

public static class GitHubServices
{
    public static IServiceCollection AddGitHub(this IServiceCollection services)
    {
        services.AddValidatedOptions<GitHubOptions>(GitHubOptions.Section);
        services.AddSingleton(sp => new WebhookSignature(sp.GetRequiredService<IOptions<GitHubOptions>>().Value.Secrets()));
        services.AddSingleton<WebhookEventReader>();
        services.AddGitHubHttpClient();
        services.TryAddSingleton<IGitHubClientFactory, GitHubClientFactory>();
        services.TryAddSingleton<IGitHubApi, GitHubApi>();
        services.AddSingleton<Jobs.IJobHandler, WebhookJobHandler>();
        foreach (var route in GitHubEventTable.All)
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
