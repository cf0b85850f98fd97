namespace Orchestrator.Storage;

public enum AuditOutcome
{
    Succeeded,
    Refused,
    Failed,
}

/// <param name="Actor">A Discord user id ("discord:123") or a GitHub login ("github:octocat") or "system".</param>
public sealed record AuditEntry(
    DateTimeOffset At,
    string Actor,
    string? ActorName,
    string Action,
    string? RunId,
    AuditOutcome Outcome,
    string? Detail);

/// <summary>Append-only record of who did what, including refusals.</summary>
public interface IAuditLog
{
    Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken);

    Task<IReadOnlyList<AuditEntry>> ListByRunAsync(string runId, CancellationToken cancellationToken);

    /// <summary>Entries with <paramref name="from"/> &lt;= At &lt; <paramref name="to"/>, oldest first.</summary>
    Task<IReadOnlyList<AuditEntry>> ListAsync(DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken);
}
