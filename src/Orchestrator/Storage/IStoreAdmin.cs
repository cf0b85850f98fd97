namespace Orchestrator.Storage;

/// <summary>Creates tables or applies migrations, and tells whether the store answers.</summary>
public interface IStoreAdmin
{
    Task InitializeAsync(CancellationToken cancellationToken);

    Task<bool> IsReachableAsync(CancellationToken cancellationToken);
}
