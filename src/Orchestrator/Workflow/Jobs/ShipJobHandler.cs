using System.Globalization;
using Microsoft.Extensions.Options;
using Orchestrator.Discord;
using Orchestrator.GitHub;
using Orchestrator.Jobs;
using Orchestrator.Runs;
using Orchestrator.Storage;

namespace Orchestrator.Workflow.Jobs;

/// <summary>Dispatches the deploy workflow of a shipping run, once; its workflow_run events (or the ship watch) finish it.</summary>
public sealed class ShipJobHandler(
    IGitHubApi github,
    Effects effects,
    RunUpdates updates,
    IRunStore runs,
    IOptionsMonitor<WorkflowOptions> options,
    IOptions<JobOptions> jobOptions) : IJobHandler
{
    public string Kind => WorkflowJobs.Ship;

    public async Task HandleAsync(Job job, CancellationToken cancellationToken)
    {
        var run = await runs.GetAsync(new RunId(WorkflowJobs.Read(job, WorkflowJsonContext.Default.RunJob).RunId), cancellationToken);
        if (run is not { State: RunState.Shipping, Ship: { } ship })
        {
            return;
        }

        var deploy = options.CurrentValue.Find(run.Repository)?.Deploy;
        if (deploy?.Workflow is not { } workflow)
        {
            await updates.FailShipAsync(run, "No deploy workflow is configured any more.", cancellationToken);
            return;
        }

        try
        {
            await effects.OnceAsync(
                $"ship:{run.Id}:dispatch",
                async ct => (await github.FindWorkflowRunAsync(run.Repository, workflow, ship.CorrelationId, ship.RequestedAt.AddMinutes(-5), ct))?.Id.ToString(CultureInfo.InvariantCulture),
                async ct =>
                {
                    await github.DispatchWorkflowAsync(
                        run.Repository,
                        workflow,
                        deploy.Ref,
                        new Dictionary<string, string> { ["run_id"] = run.Id.Value, ["correlation_id"] = ship.CorrelationId },
                        ct);
                    return "workflow_dispatch";
                },
                cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && WorkflowJobs.IsLastAttempt(job, jobOptions.Value))
        {
            await updates.FailShipAsync(run, $"The deploy workflow could not be dispatched: {WorkflowJobs.Describe(ex)}", cancellationToken);
            return;
        }

        await updates.NotifyAsync(run, "ship-dispatched", $"🚀 Deploy workflow `{Markdown.Escape(workflow)}` dispatched (`{ship.CorrelationId}`).", cancellationToken);
    }
}
