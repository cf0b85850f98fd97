namespace Orchestrator.Operations;

public static class OperationsServices
{
    /// <summary>What the CLI's operator verbs and the dashboard share.</summary>
    public static IServiceCollection AddOperations(this IServiceCollection services)
    {
        services.AddSingleton<OperatorQueries>();
        services.AddSingleton<OperatorActions>();
        return services;
    }
}
