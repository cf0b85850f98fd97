namespace Orchestrator.Workflow.Executors;

/// <summary>A hidden marker in a comment body: invisible on GitHub, findable when reconciling an effect.</summary>
public static class CommentMarker
{
    /// <summary>How every marker starts: a comment that has it is the service's own.</summary>
    public const string Prefix = "<!-- orchestrator:";

    public static string For(string effectKey) => $"{Prefix}{effectKey} -->";
}
