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
}

public sealed class ExecutorOptions
{
    public ExecutorKind Kind { get; set; } = ExecutorKind.Workflow;

    /// <summary>Workflow file name (Kind=Workflow), e.g. "agent.yml".</summary>
    public string? Workflow { get; set; }

    /// <summary>Git ref for workflow_dispatch (Kind=Workflow).</summary>
    public string Ref { get; set; } = "main";

    /// <summary>Account to assign (Kind=Assign).</summary>
    public string? Assignee { get; set; }

    /// <summary>Comment body to post (Kind=Comment). "{issue}" and "{run}" are replaced.</summary>
    public string? Comment { get; set; }

    /// <summary>Label to add (Kind=Label).</summary>
    public string? Label { get; set; }

    public string? Validate() => Kind switch
    {
        ExecutorKind.Workflow when string.IsNullOrWhiteSpace(Workflow) => "Executor:Workflow is required when Executor:Kind is Workflow",
        ExecutorKind.Assign when string.IsNullOrWhiteSpace(Assignee) => "Executor:Assignee is required when Executor:Kind is Assign",
        ExecutorKind.Comment when string.IsNullOrWhiteSpace(Comment) => "Executor:Comment is required when Executor:Kind is Comment",
        ExecutorKind.Label when string.IsNullOrWhiteSpace(Label) => "Executor:Label is required when Executor:Kind is Label",
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

    public ExecutorOptions Executor { get; set; } = new();

    public DeployOptions Deploy { get; set; } = new();

    public ScheduleOptions Schedule { get; set; } = new();

    /// <summary>A dispatched task with no pull request after this long is flagged in the thread.</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromHours(24);
}

/// <summary>Who may run a command: Discord role ids and user ids.</summary>
public sealed class Grant
{
    public IList<string> Roles { get; } = [];

    public IList<string> Users { get; } = [];

    public bool IsEmpty => Roles.Count == 0 && Users.Count == 0;
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

    public RepositoryOptions? Find(string? name) =>
        name is null
            ? (Repositories.Count == 1 ? Repositories[0] : null)
            : Repositories.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));
}
