using System.Globalization;
using Orchestrator.Discord;
using Orchestrator.Runs;
using Orchestrator.Storage;

namespace Orchestrator.Workflow.Commands;

/// <summary>
/// /approve-ci [issue] [run] and a task's Approve CI button: approves the workflow runs of the task's head that wait in
/// <c>action_required</c> (Copilot's runs do until someone with write access approves them). Privileged and audited;
/// a job makes the GitHub calls.
/// </summary>
public sealed class ApproveCiCommand(RunCommandSupport support, RunUpdates updates) : ICommandHandler
{
    public static CommandDescriptor Descriptor { get; } = CommandDescriptor.For<ApproveCiCommand>(
        "approve-ci",
        "Approve the CI runs waiting for approval on a task's pull request.",
        CommandAccess.Privileged,
        new CommandOption("issue", "Issue number of the task; every task waiting for approval when omitted.", CommandOptionType.Integer),
        RunCommandSupport.RunOption);

    public async Task<InteractionResponse> HandleAsync(CommandContext context, CancellationToken cancellationToken)
    {
        int? issue = int.TryParse(context.Argument("issue")?.TrimStart('#'), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
        var (run, refusal) = await support.ResolveForAsync(
            context,
            "approve-ci",
            r => Waiting(r, issue).Count > 0
                ? null
                : issue is { } one
                    ? $"Issue #{one} of run `{r.Id}` has no CI waiting for approval ({(r.Task(one) is { } t ? RunViews.TaskStateName(t.State) : "not in the run")})."
                    : $"No task of run `{r.Id}` has CI waiting for approval.",
            cancellationToken);
        if (run is null)
        {
            return refusal!;
        }

        var tasks = Waiting(run, issue);
        foreach (var task in tasks)
        {
            await updates.EnqueueTaskAsync(WorkflowJobs.ApproveCi, $"approve-ci:{run.Id}:{task.IssueNumber}:{task.HeadSha}", run, task.IssueNumber, null, cancellationToken);
        }

        var which = string.Join(", ", tasks.Select(t => $"#{t.IssueNumber}"));
        await support.AuditAsync(context, "approve-ci", run, AuditOutcome.Succeeded, which, cancellationToken);
        return RunCommandSupport.Answer(context, $"✅ {Markdown.Escape(context.Actor.DisplayName)} approved CI for {which}: approving the waiting workflow runs.");
    }

    private static List<RunTask> Waiting(Run run, int? issue) =>
        [.. run.Tasks.Where(t => t.State == TaskState.NeedsApproval && t.HeadSha is not null && (issue is null || t.IssueNumber == issue))];
}
