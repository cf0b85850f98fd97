namespace Orchestrator.Workflow.Executors;

/// <summary>The registered executors by kind; <see cref="Prerequisites"/> is what a doctor calls per repository.</summary>
public sealed class ExecutorSet(IEnumerable<IExecutor> executors, Microsoft.Extensions.Options.IOptionsMonitor<GitHub.GitHubOptions> github)
{
    private readonly Dictionary<ExecutorKind, IExecutor> _byKind = executors.ToDictionary(e => e.Kind);

    public IExecutor For(ExecutorKind kind) =>
        _byKind.TryGetValue(kind, out var executor) ? executor : throw new Orchestrator.Jobs.PermanentJobFailureException($"Unknown executor {kind}.");

    public IExecutor For(RepositoryOptions repository) => For(repository.Executor.Kind);

    /// <summary>The repository's executor's prerequisites, as far as the configuration shows them.</summary>
    public IReadOnlyList<ExecutorPrerequisite> Prerequisites(RepositoryOptions repository) => For(repository).Prerequisites(repository, github.CurrentValue);
}
