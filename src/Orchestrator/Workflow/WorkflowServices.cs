using Microsoft.Extensions.Options;
using Orchestrator.Discord;
using Orchestrator.Jobs;
using Orchestrator.Workflow.Commands;
using Orchestrator.Workflow.Executors;
using Orchestrator.Workflow.Jobs;
using Orchestrator.Workflow.Planning;
using Orchestrator.Workflow.Sweeps;

namespace Orchestrator.Workflow;

public static class WorkflowServices
{
    /// <summary>
    /// The product: options, the access rule behind the Discord adapter's gate, job handlers and periodic sweeps.
    /// Its commands and events are handed to the adapters by composition (<see cref="CommandTable"/>, <see cref="GitHubEventTable"/>).
    /// </summary>
    public static IServiceCollection AddWorkflow(this IServiceCollection services)
    {
        services.AddOptions<WorkflowOptions>().BindConfiguration(WorkflowOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WorkflowOptions>, WorkflowOptionsValidator>();
        services.AddSingleton<AccessPolicy>();
        services.AddSingleton<ICommandGate, CommandGate>();
        services.AddScoped<RunCommandSupport>();
        services.AddSingleton<RunUpdates>();
        services.AddSingleton<ThreadMessages>();
        services.AddSingleton<IJobHandler, PlanJobHandler>();
        services.AddSingleton<IJobHandler, DispatchJobHandler>();
        services.AddSingleton<IJobHandler, UpdateJobHandler>();
        services.AddSingleton<IJobHandler, ShipJobHandler>();
        services.AddSingleton<IJobHandler, FinishJobHandler>();
        services.AddSingleton<IJobHandler, DeployStatusJobHandler>();
        services.AddSingleton<IJobHandler, ApproveCiJobHandler>();
        services.AddSingleton<IJobHandler, OpenPullRequestJobHandler>();
        services.AddSingleton<IJobHandler, ReconcileJobHandler>();
        services.AddOptions<PlanningOptions>().BindConfiguration(PlanningOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PlanningOptions>, PlanningOptionsValidator>();
        services.AddSingleton<PlanningModel>();
        services.AddSingleton<IJobHandler, EnrichPlanJobHandler>();
        services.AddSingleton<IJobHandler, AskJobHandler>();
        services.AddHttpClient(PlanningModel.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<IExecutor, WorkflowExecutor>();
        services.AddSingleton<IExecutor, AssignExecutor>();
        services.AddSingleton<IExecutor, CommentExecutor>();
        services.AddSingleton<IExecutor, LabelExecutor>();
        services.AddSingleton<IExecutor, CopilotExecutor>();
        services.AddSingleton<IExecutor, ClaudeExecutor>();
        services.AddSingleton<IExecutor, OpenHandsExecutor>();
        services.AddSingleton<ExecutorSet>();
        services.AddSingleton<RoutePlanner>();
        services.AddSingleton<PullRequestLinker>();
        services.AddSingleton<PullRequestTracker>();
        services.AddSingleton<RequiredChecks>();
        services.AddSingleton<ScoreboardQuery>();
        services.AddSingleton<IPeriodicTask, StaleTaskSweep>();
        services.AddSingleton<IPeriodicTask, ShipWatch>();
        services.AddSingleton<IPeriodicTask, ScheduledPlans>();
        services.AddSingleton<IPeriodicTask, Reconciliation>();
        services.AddHttpClient(FinishJobHandler.HealthClient, c => c.Timeout = TimeSpan.FromSeconds(10));
        return services;
    }
}
