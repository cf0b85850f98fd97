using System.Globalization;
using Microsoft.Extensions.Options;
using Orchestrator.Discord;
using Orchestrator.GitHub;
using Orchestrator.Jobs;
using Orchestrator.Storage;

namespace Orchestrator.Workflow.Jobs;

/// <summary>Follows /status up with the latest runs of the deploy workflow (a GitHub call, so not in the 3-second answer).</summary>
public sealed class DeployStatusJobHandler(IGitHubApi github, IDiscordApi discord, IOptionsMonitor<WorkflowOptions> options, TimeProvider time) : IJobHandler
{
    public string Kind => WorkflowJobs.DeployStatus;

    public async Task HandleAsync(Job job, CancellationToken cancellationToken)
    {
        var request = WorkflowJobs.Read(job, WorkflowJsonContext.Default.DeployStatusJob);
        if (!request.Interaction.IsUsable(time.GetUtcNow()) || options.CurrentValue.Find(request.Repository)?.Deploy.Workflow is not { } workflow)
        {
            return;
        }

        var runs = await github.ListWorkflowRunsAsync(request.Repository, workflow, 5, cancellationToken);
        var lines = runs.Count == 0
            ? $"No run of `{Markdown.Escape(workflow)}` yet."
            : string.Join('\n', runs.Select(r => $"• [{Markdown.Escape(Markdown.Truncate(r.DisplayTitle ?? r.Name ?? "run", 80))}](<{r.HtmlUrl}>) — {r.Status}{(r.Conclusion is null ? string.Empty : "/" + r.Conclusion)} · {r.CreatedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC"));
        await discord.CreateFollowupMessageAsync(
            request.Interaction.ApplicationId,
            request.Interaction.Token,
            MessagePayload.Text($"**Latest deploys of `{request.Repository}`**\n{lines}", ephemeral: true),
            cancellationToken);
    }
}
