using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Options;
using Orchestrator.Configuration;

namespace Orchestrator.Storage;

public static partial class StorageServices
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
        services.AddSingleton(sp => sp.GetRequiredService<IStoreBackend>().Operator);
        services.AddHostedService<StoreInitializer>();
        return services;
    }

    /// <summary>
    /// Applies migrations or creates tables at start-up. A store that cannot be reached does not stop the
    /// service: it starts, /readyz and the webhook endpoint answer 503 (so GitHub shows the failure and the
    /// delivery can be redelivered), and the store initializes itself on its first successful use.
    /// </summary>
    private sealed partial class StoreInitializer(IStoreAdmin admin, ILogger<StoreInitializer> logger) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            try
            {
                await admin.InitializeAsync(cancellationToken);
            }
            catch (StoreUnavailableException ex)
            {
                var cause = ex.Describe();
                Log.Unavailable(logger, admin.Location, cause);
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        private static partial class Log
        {
            [LoggerMessage(EventId = 2, Level = LogLevel.Critical, Message = "The store ({Location}) is unavailable at start-up: {Cause}. /readyz and POST /github/webhooks answer 503 until it can be reached")]
            public static partial void Unavailable(ILogger logger, string location, string cause);
        }
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

    IOperatorStore Operator { get; }

    /// <summary>
    /// Where ASP.NET Core Data Protection keeps its keys when instances share nothing but the store (DynamoDB on
    /// Lambda); null when its default, the user profile's folder, is shared enough (SQLite: one machine).
    /// </summary>
    IXmlRepository? DataProtectionKeys { get; }
}
