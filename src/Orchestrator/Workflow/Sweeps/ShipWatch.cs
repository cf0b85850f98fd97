using System.Globalization;
using Microsoft.Extensions.Options;
using Orchestrator.GitHub;
using Orchestrator.Jobs;
using Orchestrator.Runs;
using Orchestrator.Storage;

namespace Orchestrator.Workflow.Sweeps;

/// <summary>
/// Follows shipping runs when a workflow_run webhook went missing: looks the deploy run up by correlation id,
/// records its conclusion (the finish job takes it from there), and fails deploys that outlive the timeout.
/// </summary>
public sealed class ShipWatch(IGitHubApi github, RunUpdates updates, IRunStore runs, IOptionsMonitor<WorkflowOptions> options, TimeProvider time) : IPeriodicTask
{
    public string Name => "ship-watch";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        foreach (var run in await runs.ListActiveAsync(null, cancellationToken))
        {
            if (run is not { State: RunState.Shipping, Ship: { Conclusion: null } ship })
            {
                continue;
            }

            var deploy = options.CurrentValue.Find(run.Repository)?.Deploy;
            if (deploy?.Workflow is not { } workflow)
            {
                continue;
            }

            var found = await github.FindWorkflowRunAsync(run.Repository, workflow, ship.CorrelationId, ship.RequestedAt.AddMinutes(-5), cancellationToken);
            if (found is { Conclusion: { } conclusion })
            {
                var updated = await runs.UpdateWithRetryAsync(
                    run.Id,
                    current => current.Ship is { Conclusion: null } ? current with { Ship = current.Ship with { WorkflowRunId = found.Id, WorkflowRunUrl = found.HtmlUrl.ToString(), Conclusion = conclusion, CompletedAt = time.GetUtcNow() } } : null,
                    cancellationToken);
                await updates.EnqueueAsync(WorkflowJobs.Finish, $"finish:{run.Id}", updated, cancellationToken);
            }
            else if (time.GetUtcNow() - ship.RequestedAt > deploy.Timeout)
            {
                await updates.FailShipAsync(run, $"The deploy did not finish within {deploy.Timeout.TotalMinutes.ToString(CultureInfo.InvariantCulture)} minutes.", cancellationToken);
            }
        }
    }
}
