using Orchestrator.Hosting;

namespace Orchestrator.Jobs;

public static class JobServices
{
    public static IServiceCollection AddJobs(this IServiceCollection services)
    {
        services.AddValidatedOptions<JobOptions>(JobOptions.Section);
        services.AddSingleton<JobRunner>();
        services.AddSingleton<Effects>();
        services.AddSingleton<JobWorker>();
        // Not AddHostedService: with a factory typed IHostedService it refuses the registration
        // ("indistinguishable from other services"), so the host would not start.
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<JobWorker>() is var worker
            && sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<JobOptions>>().Value.Hosted
                ? worker
                : (IHostedService)new DisabledWorker());
        return services;
    }

    public static IEndpointRouteBuilder MapJobs(this IEndpointRouteBuilder app) => app;

    private sealed class DisabledWorker : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
