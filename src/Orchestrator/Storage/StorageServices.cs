using Microsoft.Extensions.Options;
using Orchestrator.Hosting;
using Orchestrator.Runs;

namespace Orchestrator.Storage;

public static class StorageServices
{
    /// <summary>Registers the configured store behind every storage contract, and its start-up initialization.</summary>
    public static IServiceCollection AddStorage(this IServiceCollection services)
    {
        services.AddValidatedOptions<StorageOptions>(StorageOptions.Section);
        services.AddSingleton<IStoreBackend>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            return options.Provider switch
            {
                StorageProvider.Sqlite => Sqlite.SqliteStore.Create(sp, options),
                StorageProvider.DynamoDb => DynamoDb.DynamoStore.Create(sp, options),
                _ => throw new InvalidOperationException($"Unknown storage provider {options.Provider}."),
            };
        });
        services.AddSingleton(sp => sp.GetRequiredService<IStoreBackend>().Inbox);
        services.AddSingleton(sp => sp.GetRequiredService<IStoreBackend>().Jobs);
        services.AddSingleton(sp => sp.GetRequiredService<IStoreBackend>().Runs);
        services.AddSingleton(sp => sp.GetRequiredService<IStoreBackend>().Effects);
        services.AddSingleton(sp => sp.GetRequiredService<IStoreBackend>().Audit);
        services.AddSingleton(sp => sp.GetRequiredService<IStoreBackend>().Admin);
        services.AddHostedService<StoreInitializer>();
        return services;
    }

    private sealed class StoreInitializer(IStoreAdmin admin) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => admin.InitializeAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>One store implementation: every contract over the same database.</summary>
public interface IStoreBackend
{
    IWebhookInbox Inbox { get; }

    IJobQueue Jobs { get; }

    IRunStore Runs { get; }

    IEffectLedger Effects { get; }

    IAuditLog Audit { get; }

    IStoreAdmin Admin { get; }
}
