using System.Text;
using Microsoft.Extensions.Options;
using Orchestrator.Discord;
using Orchestrator.Storage;

namespace Orchestrator.Workflow.Commands;

/// <summary>
/// /status [run]: answered at once from the store (no GitHub call for the runs). In a run's thread, or when one run is
/// active, it shows that run's tasks and what each waits for ("why isn't this moving?"); otherwise the active runs.
/// The latest runs of the deploy workflow come from GitHub, so a job adds them as a follow-up.
/// </summary>
public sealed class StatusCommand(RunCommandSupport support, IRunStore runs, IJobQueue jobs, IOptionsMonitor<WorkflowOptions> options, TimeProvider time) : ICommandHandler
{
    public static CommandDescriptor Descriptor { get; } = CommandDescriptor.For<StatusCommand>("status", "Show active runs (or one run) and the latest deploys.", CommandAccess.Everyone, RunCommandSupport.RunOption);

    public async Task<InteractionResponse> HandleAsync(CommandContext context, CancellationToken cancellationToken)
    {
        MessagePayload payload;
        string? repository;
        var (resolved, problem) = await support.ResolveAsync(context, cancellationToken);
        if (context.Argument("run") is not null && resolved is null)
        {
            return InteractionResponse.Message(problem!, ephemeral: true);
        }

        if (resolved is { } run)
        {
            // In a run's thread, named, or the only active run: its tasks, each with what it waits for.
            payload = RunViews.Status(run, time.GetUtcNow());
            repository = run.Repository;
        }
        else
        {
            var active = await runs.ListActiveAsync(null, cancellationToken);
            var text = new StringBuilder();
            if (active.Count == 0)
            {
                text.Append("No run is active.");
                var latest = await runs.ListLatestAsync(3, cancellationToken);
                if (latest.Count > 0)
                {
                    text.Append(" Latest runs:\n").AppendJoin('\n', latest.Select(RunViews.Summary));
                }
            }
            else
            {
                text.Append("**Active runs**\n").AppendJoin('\n', active.Select(RunViews.Summary));
            }

            payload = MessagePayload.Text(Markdown.Truncate(text.ToString(), 2000));
            repository = active.Count > 0 ? active[0].Repository : options.CurrentValue.Find(null)?.Name;
        }

        var interaction = context.Interaction;
        if (repository is not null && options.CurrentValue.Find(repository)?.Deploy.Workflow is not null)
        {
            var handle = new InteractionHandle { ApplicationId = interaction.ApplicationId!, Token = interaction.Token!, ReceivedAt = time.GetUtcNow() };
            await jobs.EnqueueAsync(
                WorkflowJobs.For(WorkflowJobs.DeployStatus, "deploys:" + interaction.Id, new DeployStatusJob(repository, handle), WorkflowJsonContext.Default.DeployStatusJob),
                cancellationToken);
        }

        return InteractionResponse.Message(payload);
    }
}
