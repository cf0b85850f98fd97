using Orchestrator.Discord;
using Orchestrator.Runs;
using Orchestrator.Storage;

namespace Orchestrator.Workflow.Commands;

/// <summary>What every run command needs: find the run it means, record what happened, enqueue follow-up work.</summary>
public sealed class RunCommandSupport(IRunStore runs, IAuditLog audit, TimeProvider time)
{
    /// <summary>The option every run command takes.</summary>
    public static readonly CommandOption RunOption = new("run", "Run id; defaults to this thread's run or the only active run.", CommandOptionType.String);

    public static string ActorId(CommandContext context) => "discord:" + context.Actor.Id;

    /// <summary>
    /// The run named by the "run" argument, else the run whose thread this is, else the only active run. The
    /// interaction's span is tagged with its run.id.
    /// </summary>
    public async Task<(Run? Run, string? Problem)> ResolveAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var resolved = await FindAsync(context, cancellationToken);
        Telemetry.OrchestratorTracing.Tag("run.id", resolved.Run?.Id.Value);
        return resolved;
    }

    private async Task<(Run? Run, string? Problem)> FindAsync(CommandContext context, CancellationToken cancellationToken)
    {
        if (context.Argument("run") is { } id)
        {
            var named = await runs.GetAsync(new RunId(id.Trim()), cancellationToken);
            return named is null ? (null, $"There is no run `{Markdown.Escape(id)}`.") : (named, null);
        }

        if (context.Interaction.ChannelId is { } channel && await runs.FindByThreadAsync(channel, cancellationToken) is { } inThread)
        {
            return (inThread, null);
        }

        var active = await runs.ListActiveAsync(null, cancellationToken);
        return active.Count switch
        {
            0 => (null, "There is no active run. Start one with `/plan`."),
            1 => (active[0], null),
            _ => (null, $"Several runs are active ({string.Join(", ", active.Select(r => $"`{r.Id}`"))}): name one with the `run` option, or use the command in the run's thread."),
        };
    }

    /// <summary>
    /// The run the command means, when <paramref name="refuseUnless"/> has no objection to it (it returns the
    /// reason to refuse, or null); otherwise the audited refusal to answer with.
    /// </summary>
    public async Task<(Run? Run, InteractionResponse? Refusal)> ResolveForAsync(
        CommandContext context,
        string action,
        Func<Run, string?> refuseUnless,
        CancellationToken cancellationToken)
    {
        var (run, problem) = await ResolveAsync(context, cancellationToken);
        if (run is null)
        {
            return (null, await RefuseAsync(context, action, null, problem!, cancellationToken));
        }

        return refuseUnless(run) is { } reason
            ? (null, await RefuseAsync(context, action, run, reason, cancellationToken))
            : (run, null);
    }

    public Task AuditAsync(CommandContext context, string action, Run? run, AuditOutcome outcome, string? detail, CancellationToken cancellationToken) =>
        audit.AppendAsync(
            new AuditEntry(time.GetUtcNow(), ActorId(context), context.Actor.DisplayName, action, run?.Id.Value, outcome, detail),
            cancellationToken);

    /// <summary>Records a refusal and answers only the caller.</summary>
    public async Task<InteractionResponse> RefuseAsync(CommandContext context, string action, Run? run, string reason, CancellationToken cancellationToken)
    {
        await AuditAsync(context, action, run, AuditOutcome.Refused, reason, cancellationToken);
        return InteractionResponse.Message(reason, ephemeral: true);
    }

    /// <summary>Answers a button in place (the buttons go away) and a slash command with a public message.</summary>
    public static InteractionResponse Answer(CommandContext context, string content) =>
        context.Interaction.Type == InteractionType.MessageComponent
            ? new InteractionResponse(InteractionResponseType.UpdateMessage, new MessagePayload { Content = content, Components = [] })
            : InteractionResponse.Message(content);
}
