namespace Orchestrator.Discord;

public sealed record ActionRow(IReadOnlyList<Button> Components)
{
    public int Type => 1;
}

public enum ButtonStyle
{
    Primary = 1,
    Secondary = 2,
    Success = 3,
    Danger = 4,
    Link = 5,
}

public sealed record Button(ButtonStyle Style, string Label, string? CustomId = null, string? Url = null, bool? Disabled = null)
{
    public int Type => 2;
}
