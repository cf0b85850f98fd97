namespace Orchestrator.Discord;

/// <summary>Answers one slash command (and the buttons that name it); described by a <see cref="CommandDescriptor"/>.</summary>
public interface ICommandHandler
{
    /// <summary>Answers within Discord's 3-second limit; slow work is enqueued as a job and the answer deferred.</summary>
    Task<InteractionResponse> HandleAsync(CommandContext context, CancellationToken cancellationToken);

    /// <summary>Suggestions for the focused option; none by default.</summary>
    Task<IReadOnlyList<CommandChoice>> AutocompleteAsync(CommandContext context, string option, string prefix, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<CommandChoice>>([]);
}
