using Orchestrator.Runs;
using Orchestrator.Storage;

namespace Orchestrator.Operations;

/// <summary>The snake_case names the CLI accepts and prints (pending, in_progress, dead_lettered, ...).</summary>
public static class Names
{
    public static string Of(RunState state) => Snake(state.ToString());

    public static string Of(TaskState state) => Snake(state.ToString());

    public static string Of(JobState state) => Snake(state.ToString());

    public static string Of(AuditOutcome outcome) => Snake(outcome.ToString());

    public static IReadOnlyList<string> RunStates { get; } = [.. Enum.GetValues<RunState>().Select(Of)];

    public static RunState? ParseRunState(string? name) =>
        name is null ? null : Enum.GetValues<RunState>().Single(s => Of(s) == name);

    private static string Snake(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
