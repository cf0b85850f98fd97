namespace Orchestrator.Workflow.Executors;

/// <summary>The registered executors by kind; <see cref="Prerequisites"/> is what a doctor calls per configured executor.</summary>
public sealed class ExecutorSet(IEnumerable<IExecutor> executors, Microsoft.Extensions.Options.IOptionsMonitor<GitHub.GitHubOptions> github)
{
    private readonly Dictionary<ExecutorKind, IExecutor> _byKind = executors.ToDictionary(e => e.Kind);

    public IExecutor For(ExecutorKind kind) =>
        _byKind.TryGetValue(kind, out var executor) ? executor : throw new Orchestrator.Jobs.PermanentJobFailureException($"Unknown executor {kind}.");

    /// <summary>What an executor of the repository needs, as far as the configuration shows it.</summary>
    public IReadOnlyList<ExecutorPrerequisite> Prerequisites(RepositoryOptions repository, ExecutorOptions executor) =>
        For(executor.Kind).Prerequisites(repository, executor, github.CurrentValue);

    /// <summary>Assignee logins of any of the repository's executors (a plan keeps issues assigned to an agent).</summary>
    public IReadOnlyList<string> AgentLogins(RepositoryOptions repository) =>
        [.. repository.AllExecutors().SelectMany(e => For(e.Kind).AgentLogins(e)).Distinct(StringComparer.OrdinalIgnoreCase)];

    /// <summary>
    /// The repository's executor whose branches look like <paramref name="branch"/> for <paramref name="issue"/>, or null.
    /// Copilot's branches (copilot/…) do not name their issue, so Copilot never claims one by its name.
    /// </summary>
    public ExecutorOptions? BranchOwner(RepositoryOptions repository, string branch, int issue) =>
        repository.AllExecutors().FirstOrDefault(e => MakesBranch(e, branch, issue));

    /// <summary>True when <paramref name="executor"/> makes branches like <paramref name="branch"/> for <paramref name="issue"/> (never Copilot, see <see cref="BranchOwner"/>).</summary>
    public bool MakesBranch(ExecutorOptions executor, string branch, int issue) =>
        executor.Kind != ExecutorKind.Copilot && For(executor.Kind).IsAgentBranch(branch, issue);
}
