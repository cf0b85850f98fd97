using Orchestrator.Configuration;
using Orchestrator.Jobs;

namespace Orchestrator.Operations;

public static class OperationsServices
{
    /// <summary>What the CLI's operator verbs and the dashboard share, and the automatic recovery of missed deliveries.</summary>
    public static IServiceCollection AddOperations(this IServiceCollection services)
    {
        services.AddValidatedOptions<RecoveryOptions>(RecoveryOptions.Section);
        services.AddSingleton<OperatorQueries>();
        services.AddSingleton<OperatorActions>();
        services.AddSingleton<DeliveryRecovery>();
        services.AddSingleton<StoreGauges>();
        services.AddSingleton<IJobHandler, RecoveryJobHandler>();
        services.AddSingleton<IPeriodicTask, RecoverySchedule>();
        return services;
    }
}
