using Microsoft.Extensions.Options;
using Orchestrator.Configuration;

namespace Orchestrator.Jobs;

public static class JobServices
{
    public static IServiceCollection AddJobs(this IServiceCollection services)
    {
        services.AddValidatedOptions<JobOptions>(JobOptions.Section);
        services.AddValidatedOptions<MetricsOptions>(MetricsOptions.Section);
        services.AddSingleton<JobRunner>();
        services.AddSingleton<Effects>();
        services.AddSingleton<PeriodicTaskRunner>();
        services.AddSingleton<QueueDrain>();
        services.AddSingleton<StreamBatchProcessor>();
        services.AddSingleton<ScheduledTick>();
        services.AddSingleton(sp => new QueueMetrics(
            sp.GetRequiredService<IOptions<MetricsOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            Console.Out));
        services.AddSingleton<JobWorker>();
        // Not AddHostedService: with a factory typed IHostedService it refuses the registration
        // ("indistinguishable from other services"), so the host would not start.
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<JobWorker>() is var worker
            && sp.GetRequiredService<IOptions<JobOptions>>().Value.Hosted
                ? worker
                : new DisabledWorker());
        return services;
    }

    /// <summary>Maps the Lambda Web Adapter's pass-through path when this process is the worker function.</summary>
    public static IEndpointRouteBuilder MapJobs(this IEndpointRouteBuilder app)
    {
        var options = app.ServiceProvider.GetRequiredService<IOptions<JobOptions>>().Value;
        if (options.EventsEnabled)
        {
            app.MapPost(options.EventsPath, LambdaEvents.HandleAsync);
        }

        return app;
    }

    private sealed class DisabledWorker : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
