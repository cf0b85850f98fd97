namespace Orchestrator.Storage;

/// <summary>Creates tables or applies migrations, and tells whether the store answers.</summary>
public interface IStoreAdmin
{
    /// <summary>Where the store is, for a person: the SQLite file's path, or the DynamoDB tables and endpoint.</summary>
    string Location { get; }

    Task InitializeAsync(CancellationToken cancellationToken);

    Task<bool> IsReachableAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Checks that the store is usable and leaves it as it was: it opens, its schema is what this build expects, and a
    /// write round-trips (a probe record written, read back and deleted). Returns the problems found, each one line
    /// naming what is wrong; none when the store is fine.
    /// </summary>
    Task<IReadOnlyList<string>> VerifyAsync(CancellationToken cancellationToken);
}
