namespace Orchestrator.Discord;

public static class MessageFlags
{
    public const int Ephemeral = 1 << 6;
}

/// <summary>
/// A message body: used for interaction responses, follow-ups and channel messages alike.
/// <see cref="AllowedMentions"/> defaults to none so that untrusted text never pings anyone.
/// </summary>
public sealed record MessagePayload
{
    public string? Content { get; init; }

    public int? Flags { get; init; }

    public IReadOnlyList<Embed>? Embeds { get; init; }

    public IReadOnlyList<ActionRow>? Components { get; init; }

    public AllowedMentions? AllowedMentions { get; init; } = AllowedMentions.None;

    /// <summary>Autocomplete choices (only in an autocomplete result).</summary>
    public IReadOnlyList<CommandChoice>? Choices { get; init; }

    public static MessagePayload Text(string content, bool ephemeral = false) =>
        new() { Content = content, Flags = ephemeral ? MessageFlags.Ephemeral : null };
}

public sealed record AllowedMentions(IReadOnlyList<string> Parse)
{
    public static readonly AllowedMentions None = new([]);
}
