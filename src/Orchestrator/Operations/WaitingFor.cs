using System.Globalization;
using Orchestrator.Runs;
using Orchestrator.Workflow;

namespace Orchestrator.Operations;

/// <summary>One short phrase per run and task: what has to happen next for it to move.</summary>
public static class WaitingFor
{
    public static string OfRun(Run run) => run switch
    {
        { OnHold: true } => "release of the hold (/hold release)",
        { State: RunState.Pending } => "approval of the plan",
        { State: RunState.Approved } => "dispatch of its tasks",
        { State: RunState.InProgress } when run.Tasks.All(Tracking.IsShippable) => "/ship",
        { State: RunState.InProgress } => $"{run.Tasks.Count(t => !Tracking.IsShippable(t))} task(s) to be merged with green checks",
        { State: RunState.Shipping } => "the deploy workflow",
        _ => "nothing (finished)",
    };

    public static string OfTask(Run run, RunTask task) => task.State switch
    {
        _ when !Run.IsActive(run.State) => "nothing (run finished)",
        TaskState.Queued => run.State == RunState.Pending ? "approval of the plan" : "dispatch",
        TaskState.Dispatched => "the agent's pull request",
        TaskState.AgentWorking => "the agent to finish its draft pull request",
        TaskState.NeedsApproval => "approval of its CI runs (Approve CI in the thread)",
        TaskState.PrOpen when Pending(task) is { Count: > 0 } pending => "checks: " + string.Join(", ", pending),
        TaskState.PrOpen => "checks to report",
        TaskState.ChecksPassing => "review and merge",
        TaskState.ChecksFailing => "a fix for failing checks" + (Failing(task) is { Count: > 0 } failing ? ": " + string.Join(", ", failing) : string.Empty),
        TaskState.Merged => run.State == RunState.Shipping ? "the deploy" : "/ship",
        TaskState.Failed => "/retry " + task.IssueNumber.ToString(CultureInfo.InvariantCulture) + (task.LastError is null ? string.Empty : " (" + task.LastError + ")"),
        _ => task.State.ToString(),
    };

    private static List<string> Pending(RunTask task) => [.. (task.Checks ?? new Dictionary<string, string>()).Where(c => c.Value == Tracking.Pending).Select(c => c.Key)];

    private static List<string> Failing(RunTask task) => [.. (task.Checks ?? new Dictionary<string, string>()).Where(c => Tracking.IsFailing(c.Value)).Select(c => c.Key)];
}
