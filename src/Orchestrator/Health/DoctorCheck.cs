namespace Orchestrator.Health;

public enum CheckStatus
{
    Passed,
    Warning,
    Failed,
}

/// <summary>One line of `doctor`'s checklist: what was checked, what was found and, when something is wrong, the fix in one sentence.</summary>
/// <param name="Area">settings, store, github, discord or secrets.</param>
public sealed record CheckResult(string Area, string Name, CheckStatus Status, string Detail, string? Fix = null)
{
    public static CheckResult Pass(string area, string name, string detail) => new(area, name, CheckStatus.Passed, detail);

    public static CheckResult Warn(string area, string name, string detail, string fix) => new(area, name, CheckStatus.Warning, detail, fix);

    public static CheckResult Fail(string area, string name, string detail, string fix) => new(area, name, CheckStatus.Failed, detail, fix);
}
