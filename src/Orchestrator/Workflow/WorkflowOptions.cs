using System.ComponentModel.DataAnnotations;

namespace Orchestrator.Workflow;

/// <summary>How work is handed to whoever does it.</summary>
public enum ExecutorKind
{
    /// <summary>workflow_dispatch of a workflow file with issue number, run id and correlation id as inputs.</summary>
    Workflow,

    /// <summary>Assign the issue to an account (e.g. a coding agent).</summary>
    Assign,

    /// <summary>Post a trigger comment on the issue (e.g. mentioning a coding agent).</summary>
    Comment,

    /// <summary>Add a label that triggers automation.</summary>
    Label,

    /// <summary>GitHub Copilot coding agent: assign <c>copilot-swe-agent[bot]</c> with an agent assignment (a user token is needed).</summary>
    Copilot,

    /// <summary>anthropics/claude-code-action: a trigger comment; the service opens the pull request for the branch it pushes.</summary>
    Claude,

    /// <summary>OpenHands resolver: the <c>fix-me</c> label; it opens a draft pull request or comments its failure.</summary>
    OpenHands,
}

/// <summary>
/// How a repository picks the executor of an issue that no label routes: by the executors' <c>Sizes</c> and
/// <c>Default</c> (<see cref="Rules"/>), or by the scoreboard (<see cref="Best"/>: the executor with the best merge
/// rate for the issue's size, once each has enough history; the rules until then).
/// </summary>
public enum RoutingMode
{
    Rules,
    Best,
}

public sealed class ExecutorOptions
{
    /// <summary>The name the plan, the scoreboard and the select menu show; the kind in lower case when unset (e.g. "claude").</summary>
    public string? Name { get; set; }

    /// <summary>Comma-separated labels (e.g. "agent:claude"): an issue carrying one of them goes to this executor.</summary>
    public string? Labels { get; set; }

    /// <summary>Comma-separated sizes (S, M, L): an issue of that size (the planning model's, or a size:S label) goes here when no label routed it.</summary>
    public string? Sizes { get; set; }

    /// <summary>The executor of issues no rule routes; the first of the list when none says so.</summary>
    public bool Default { get; set; }

    public ExecutorKind Kind { get; set; } = ExecutorKind.Workflow;

    /// <summary>Workflow file name (Kind=Workflow), e.g. "agent.yml".</summary>
    public string? Workflow { get; set; }

    /// <summary>Git ref for workflow_dispatch (Kind=Workflow).</summary>
    public string Ref { get; set; } = "main";

    /// <summary>Account to assign (Kind=Assign).</summary>
    public string? Assignee { get; set; }

    /// <summary>Comment body to post (Kind=Comment). "{issue}" and "{run}" are replaced.</summary>
    public string? Comment { get; set; }

    /// <summary>Label to add (Kind=Label; Kind=OpenHands, default "fix-me").</summary>
    public string? Label { get; set; }

    /// <summary>The branch the agent starts from and targets (Copilot's agent_assignment, the PR the service opens for Claude); the repository's default when unset.</summary>
    public string? BaseBranch { get; set; }

    /// <summary>Instructions for the agent (Copilot's custom instructions, the text of Claude's trigger comment); the issue link and correlation id are added.</summary>
    public string? Instructions { get; set; }

    /// <summary>The model Copilot uses (optional; GitHub picks when unset).</summary>
    public string? Model { get; set; }

    /// <summary>The phrase claude-code-action listens for (its <c>trigger_phrase</c>).</summary>
    public string TriggerPhrase { get; set; } = "@claude";

    /// <summary>Kind=Claude: open the pull request for the agent's <c>claude/issue-N-…</c> branch when it opens none.</summary>
    public bool OpenPullRequest { get; set; } = true;

    /// <summary>The label that starts OpenHands (Kind=OpenHands) or the configured one (Kind=Label).</summary>
    public string EffectiveLabel => Label ?? (Kind == ExecutorKind.OpenHands ? "fix-me" : string.Empty);

    /// <summary>The name this executor goes by (<see cref="Name"/>, else the kind in lower case).</summary>
    public string EffectiveName => string.IsNullOrWhiteSpace(Name) ? Kind.ToString().ToLowerInvariant() : Name.Trim();

    /// <summary>What is wrong with this executor's settings, each line starting with the setting's path under <paramref name="path"/> (e.g. "Executor").</summary>
    public string? Validate(string path = "Executor") => Kind switch
    {
        ExecutorKind.Claude when string.IsNullOrWhiteSpace(TriggerPhrase) => $"{path}:TriggerPhrase must not be empty when {path}:Kind is Claude",
        ExecutorKind.Workflow when string.IsNullOrWhiteSpace(Workflow) => $"{path}:Workflow is required when {path}:Kind is Workflow",
        ExecutorKind.Assign when string.IsNullOrWhiteSpace(Assignee) => $"{path}:Assignee is required when {path}:Kind is Assign",
        ExecutorKind.Comment when string.IsNullOrWhiteSpace(Comment) => $"{path}:Comment is required when {path}:Kind is Comment",
        ExecutorKind.Label when string.IsNullOrWhiteSpace(Label) => $"{path}:Label is required when {path}:Kind is Label",
        _ => null,
    };
}

public sealed class DeployOptions
{
    /// <summary>The deploy workflow file, e.g. "deploy.yml". /ship is refused while it is unset.</summary>
    public string? Workflow { get; set; }

    public string Ref { get; set; } = "main";

    /// <summary>Checked after a successful deploy (status and latency); optional.</summary>
    public Uri? HealthUrl { get; set; }

    /// <summary>How long a deploy may run before the run is failed.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(60);
}

public sealed class ScheduleOptions
{
    /// <summary>A cron expression (5 fields), e.g. "0 9 * * 1-5".</summary>
    public string? Cron { get; set; }

    /// <summary>An IANA time zone id, e.g. "Europe/Paris"; UTC when unset.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Channel the scheduled plan is posted to; the repository's channel when unset.</summary>
    public string? ChannelId { get; set; }
}

public sealed class RepositoryOptions
{
    /// <summary>"owner/name".</summary>
    [Required]
    [RegularExpression(@"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")]
    public string Name { get; set; } = string.Empty;

    /// <summary>The label that marks issues ready for a plan.</summary>
    public string Label { get; set; } = "ready";

    [Range(1, 100)]
    public int Limit { get; set; } = 10;

    /// <summary>Discord channel for scheduled plans and for runs started outside Discord.</summary>
    public string? ChannelId { get; set; }

    /// <summary>The one executor of a repository that routes nothing; ignored when <see cref="Executors"/> lists any.</summary>
    public ExecutorOptions Executor { get; set; } = new();

    /// <summary>Named executors with routing rules (labels, sizes, default); each issue of a plan goes to one of them.</summary>
    public IList<ExecutorOptions> Executors { get; } = [];

    /// <summary>How an issue no label routes picks its executor (see <see cref="RoutingMode"/>).</summary>
    public RoutingMode Routing { get; set; } = RoutingMode.Rules;

    /// <summary>Routing=Best: how many dispatched tasks of a size each compared executor needs in the scoreboard's window.</summary>
    public int BestMinimumTasks { get; set; } = 20;

    /// <summary>The executors an issue may go to: <see cref="Executors"/>, or the one <see cref="Executor"/>.</summary>
    public IReadOnlyList<ExecutorOptions> AllExecutors() => Executors.Count > 0 ? [.. Executors] : [Executor];

    /// <summary>The executor of issues no rule routes (and of tasks made before routing).</summary>
    public ExecutorOptions DefaultExecutor => AllExecutors().FirstOrDefault(e => e.Default) ?? AllExecutors()[0];

    /// <summary>The executor named <paramref name="name"/> (case-insensitive), or null when none is; the default when <paramref name="name"/> is null.</summary>
    public ExecutorOptions? FindExecutor(string? name) =>
        name is null ? DefaultExecutor : AllExecutors().FirstOrDefault(e => string.Equals(e.EffectiveName, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The executor of a task: the one it names, else the default (a name since removed from the settings falls back too).</summary>
    public ExecutorOptions ExecutorOf(Runs.RunTask task) => FindExecutor(task.Executor) ?? DefaultExecutor;

    public DeployOptions Deploy { get; set; } = new();

    public ScheduleOptions Schedule { get; set; } = new();

    /// <summary>A dispatched task with no pull request after this long is flagged in the thread.</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Comma-separated labels that keep an issue out of a plan.</summary>
    public string SkipLabels { get; set; } = "blocked,wip";

    /// <summary>Comma-separated labels, highest priority first (e.g. "P0,P1,P2"); a plan orders by them, then by age.</summary>
    public string? PriorityLabels { get; set; }

    /// <summary>Comma-separated check names that must pass; when unset, the base branch's rulesets and protection say.</summary>
    public string? RequiredChecks { get; set; }

    public static IReadOnlyList<string> Split(string? list) =>
        (list ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>How tasks are followed when webhooks go missing.</summary>
public sealed class TrackingOptions
{
    /// <summary>How often active tasks are re-read from GitHub (conditional requests); zero turns it off.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>Who may run a command: Discord role ids and user ids.</summary>
public sealed class Grant
{
    public IList<string> Roles { get; } = [];

    public IList<string> Users { get; } = [];

    /// <summary>No role and no user: blank entries (e.g. an emptied environment variable) do not count.</summary>
    public bool IsEmpty => !Roles.Concat(Users).Any(id => !string.IsNullOrWhiteSpace(id));
}

public sealed class AccessOptions
{
    /// <summary>Who may run privileged commands that have no entry of their own in <see cref="Commands"/>.</summary>
    public Grant Approvers { get; set; } = new();

    /// <summary>Per-command grants, keyed by command name (e.g. "ship"); they replace <see cref="Approvers"/> for that command.</summary>
    public IDictionary<string, Grant> Commands { get; } = new Dictionary<string, Grant>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Who may force /ship past unmerged or failing tasks (with a stated reason).</summary>
    public Grant Admins { get; set; } = new();
}

public sealed class WorkflowOptions
{
    public const string Section = "Orchestrator";

    public IList<RepositoryOptions> Repositories { get; } = [];

    public AccessOptions Access { get; set; } = new();

    public TrackingOptions Tracking { get; set; } = new();

    public RepositoryOptions? Find(string? name) =>
        name is null
            ? (Repositories.Count == 1 ? Repositories[0] : null)
            : Repositories.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));
}
