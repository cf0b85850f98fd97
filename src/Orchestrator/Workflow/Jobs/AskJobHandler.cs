using System.Globalization;
using Orchestrator.GitHub;
using Orchestrator.Jobs;
using Orchestrator.Runs;
using Orchestrator.Storage;
using Orchestrator.Workflow.Executors;

namespace Orchestrator.Workflow.Jobs;

/// <summary>
/// Posts the planning model's question about a task as a comment on its issue, once: the comment carries a hidden
/// marker of its effect key, so a retry after a crash finds it instead of posting again. Mentions in the model's text
/// are broken, so the comment pings nobody.
/// </summary>
public sealed partial class AskJobHandler(IGitHubApi github, Effects effects, RunUpdates updates, IRunStore runs, ILogger<AskJobHandler> logger) : IJobHandler
{
    public string Kind => WorkflowJobs.Ask;

    public async Task HandleAsync(Job job, CancellationToken cancellationToken)
    {
        var request = WorkflowJobs.Read(job, WorkflowJsonContext.Default.TaskJob);
        var run = await runs.GetAsync(new RunId(request.RunId), cancellationToken);
        if (run?.Advice?.For(request.Issue) is not { Ready: false, Question: { } question })
        {
            return;
        }

        var key = $"ask:{run.Id}:{request.Issue.ToString(CultureInfo.InvariantCulture)}";
        var marker = CommentMarker.For(key);
        var body = $"Before a coding agent picks this issue up, one question from today's plan (run `{run.Id}`):\n\n> "
            + question.Replace("@", "@\u200B", StringComparison.Ordinal)
            + "\n\nEditing the issue with the answer is enough: the next plan reconsiders it.\n\n" + marker;
        await effects.OnceAsync(
            key,
            async ct => (await github.ListCommentsAsync(run.Repository, request.Issue, ct)).Any(c => c.Body.Contains(marker, StringComparison.Ordinal)),
            ct => github.CreateCommentAsync(run.Repository, request.Issue, body, ct),
            cancellationToken);
        Log.Asked(logger, run.Id.Value, request.Issue);
        await updates.NotifyAsync(run, key, $"💬 Asked on GitHub: the question is on #{request.Issue.ToString(CultureInfo.InvariantCulture)}.", cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1504, Level = LogLevel.Information, Message = "Asked the planning model's question on issue {Issue} of run {RunId}")]
        public static partial void Asked(ILogger logger, string runId, int issue);
    }
}
