using System.Text.Json.Serialization;

namespace Orchestrator.Discord;

/// <summary>A row of a message's components: up to five buttons, or one select menu.</summary>
public sealed record ActionRow(IReadOnlyList<MessageComponent> Components)
{
    public int Type => 1;
}

/// <summary>A component in an <see cref="ActionRow"/>; written as its own type (Discord tells them apart by <c>type</c>).</summary>
[JsonDerivedType(typeof(Button))]
[JsonDerivedType(typeof(StringSelect))]
public abstract record MessageComponent;

public enum ButtonStyle
{
    Primary = 1,
    Secondary = 2,
    Success = 3,
    Danger = 4,
    Link = 5,
}

public sealed record Button(ButtonStyle Style, string Label, string? CustomId = null, string? Url = null, bool? Disabled = null) : MessageComponent
{
    public int Type => 2;
}

/// <summary>A string select menu (component type 3): the chosen option's value comes back in the interaction's <c>values</c>.</summary>
public sealed record StringSelect(string CustomId, IReadOnlyList<SelectOption> Options, string? Placeholder = null) : MessageComponent
{
    public int Type => 3;
}

/// <summary>One choice of a <see cref="StringSelect"/>; <see cref="Default"/> marks the current one.</summary>
public sealed record SelectOption(string Label, string Value, string? Description = null, bool? Default = null);
