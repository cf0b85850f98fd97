namespace Orchestrator.Runs;

public enum AdviceState
{
    /// <summary>The planning model was asked; the proposal shows the deterministic plan meanwhile.</summary>
    Pending,

    /// <summary>The model's answer was valid and annotates the plan.</summary>
    Enriched,

    /// <summary>The answer was invalid, late or failed: the plan stays deterministic and <see cref="PlanAdvice.Note"/> says why.</summary>
    Fallback,
}

public enum IssueSize
{
    S,
    M,
    L,
}

/// <summary>
/// What the optional planning model said about a plan. It can only annotate the issues the plan already holds
/// (summary, size, readiness, noticed dependencies) and suggest their order; every text in it is untrusted.
/// </summary>
public sealed record PlanAdvice(
    AdviceState State,
    string? Note,
    string? Summary,
    IReadOnlyList<int> Order,
    IReadOnlyList<IssueAdvice> Issues)
{
    public static PlanAdvice Pending { get; } = new(AdviceState.Pending, null, null, [], []);

    public static PlanAdvice Fallback(string reason) => new(AdviceState.Fallback, reason, null, [], []);

    public IssueAdvice? For(int issue) => Issues.FirstOrDefault(i => i.Number == issue);
}

/// <summary>The model's view of one planned issue. <see cref="Question"/> is set when it needs clarification.</summary>
public sealed record IssueAdvice(int Number, string Summary, IssueSize Size, bool Ready, string? Question, IReadOnlyList<int> DependsOn);
