using Orchestrator.Discord;
using Orchestrator.Jobs;
using Orchestrator.Runs;
using Orchestrator.Storage;

namespace Orchestrator.Workflow.Jobs;

/// <summary>
/// Brings the thread up to date: a job without a notice edits the one status message in place with the run as it
/// is now (an edit is idempotent; <see cref="RunUpdates.NotifyAsync"/> coalesces these), a job with a notice posts
/// it once.
/// </summary>
public sealed class UpdateJobHandler(IRunStore runs, ThreadMessages messages, IDiscordApi discord, TimeProvider time) : IJobHandler
{
    public string Kind => WorkflowJobs.Update;

    public async Task HandleAsync(Job job, CancellationToken cancellationToken)
    {
        var update = WorkflowJobs.Read(job, WorkflowJsonContext.Default.UpdateJob);
        var run = await runs.GetAsync(new RunId(update.RunId), cancellationToken)
            ?? throw new PermanentJobFailureException($"Run {update.RunId} does not exist.");
        if (run.Discord is not { ThreadId: { } thread } location)
        {
            // The plan job has not opened the thread yet; it renders the current state itself when it does.
            return;
        }

        if (update.Notice is { } notice)
        {
            var payload = update switch
            {
                { ApproveCiIssue: { } issue } => RunViews.WithApproveCiButton(notice, run, issue),
                { AskIssue: { } issue } => RunViews.WithAskButton(notice, run, issue),
                _ => Discord.MessagePayload.Text(notice),
            };
            await messages.PostOnceAsync("notice:" + job.IdempotencyKey, thread, payload, cancellationToken);
        }
        else if (location.StatusMessageId is { } status)
        {
            await discord.EditMessageAsync(thread, status, RunViews.Status(run, time.GetUtcNow()), cancellationToken);
        }
    }
}
