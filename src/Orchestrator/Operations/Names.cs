using Orchestrator.Runs;
using Orchestrator.Storage;

namespace Orchestrator.Operations;

/// <summary>The snake_case names the CLI accepts and prints (pending, in_progress, dead_lettered, ...), and how durations read.</summary>
public static class Names
{
    public static string Of(RunState state) => Snake(state.ToString());

    public static string Of(TaskState state) => Snake(state.ToString());

    public static string Of(JobState state) => Snake(state.ToString());

    public static string Of(AuditOutcome outcome) => Snake(outcome.ToString());

    public static IReadOnlyList<string> RunStates { get; } = [.. Enum.GetValues<RunState>().Select(Of)];

    public static RunState? ParseRunState(string? name) =>
        name is null ? null : Enum.GetValues<RunState>().Single(s => Of(s) == name);

    /// <summary>A duration in its largest sensible unit: 45s, 12m, 3.5h, 2d; "-" for none.</summary>
    public static string Duration(double? seconds) => seconds switch
    {
        null => "-",
        < 60 => $"{seconds:0}s",
        < 3600 => $"{seconds / 60:0}m",
        < 172_800 => $"{seconds / 3600:0.#}h",
        _ => $"{seconds / 86400:0.#}d",
    };

    private static string Snake(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
