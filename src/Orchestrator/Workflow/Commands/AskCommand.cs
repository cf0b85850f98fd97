using System.Globalization;
using Orchestrator.Discord;
using Orchestrator.Storage;

namespace Orchestrator.Workflow.Commands;

/// <summary>
/// /ask issue [run] and the Ask on GitHub button of a task the planning model judged unclear: posts the model's
/// question as a comment on the issue. Privileged and audited; a job posts the comment once through the effect ledger.
/// </summary>
public sealed class AskCommand(RunCommandSupport support, RunUpdates updates) : ICommandHandler
{
    public static CommandDescriptor Descriptor { get; } = CommandDescriptor.For<AskCommand>(
        "ask",
        "Post the planning model's question about an unclear issue as a comment on GitHub.",
        CommandAccess.Privileged,
        new CommandOption("issue", "Issue number of the task the planning model judged unclear.", CommandOptionType.Integer, Required: true),
        RunCommandSupport.RunOption);

    public async Task<InteractionResponse> HandleAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var issue = int.TryParse(context.Argument("issue")?.TrimStart('#'), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;
        var (run, refusal) = await support.ResolveForAsync(
            context,
            "ask",
            r => r.Advice?.For(issue) is { Ready: false, Question: not null }
                ? null
                : $"The planning model has no question about #{issue.ToString(CultureInfo.InvariantCulture)} in run `{r.Id}`.",
            cancellationToken);
        if (run is null)
        {
            return refusal!;
        }

        // One job per task: a second click is the same job, and the job's effect key makes the comment happen once.
        await updates.EnqueueTaskAsync(WorkflowJobs.Ask, $"ask:{run.Id}:{issue.ToString(CultureInfo.InvariantCulture)}", run, issue, null, cancellationToken);
        await support.AuditAsync(context, "ask", run, AuditOutcome.Succeeded, $"#{issue.ToString(CultureInfo.InvariantCulture)}", cancellationToken);
        return RunCommandSupport.Answer(context, $"💬 {Markdown.Escape(context.Actor.DisplayName)} asked on GitHub: posting the question on #{issue.ToString(CultureInfo.InvariantCulture)}.");
    }
}
