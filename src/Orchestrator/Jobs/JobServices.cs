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
        // AddSingleton, not AddHostedService: the factory's type is IHostedService itself, which AddHostedService's
        // TryAddEnumerable refuses ("indistinguishable from other services"), so the host could not be built.
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<JobWorker>() is var worker
            && sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<JobOptions>>().Value.Hosted
                ? worker
                : new DisabledWorker());
        return services;
    }

    public static IEndpointRouteBuilder MapJobs(this IEndpointRouteBuilder app) => app;

    private sealed class DisabledWorker : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
