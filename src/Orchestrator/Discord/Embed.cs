namespace Orchestrator.Discord;

public sealed record Embed
{
    public string? Title { get; init; }

    public string? Description { get; init; }

    public string? Url { get; init; }

    public int? Color { get; init; }

    public IReadOnlyList<EmbedField>? Fields { get; init; }

    public EmbedFooter? Footer { get; init; }

    public string? Timestamp { get; init; }
}

public sealed record EmbedField(string Name, string Value, bool? Inline = null);

public sealed record EmbedFooter(string Text);
