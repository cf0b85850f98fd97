using Amazon;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Logging.Abstractions;

namespace Orchestrator.Storage.DynamoDb;

/// <summary>The DynamoDB store: every contract over the three tables of <see cref="DynamoSchema"/>.</summary>
public static class DynamoStore
{
    public static IStoreBackend Create(IServiceProvider services, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger(typeof(DynamoStore).FullName!) ?? NullLogger.Instance;
        return new DynamoBackend(new DynamoClient(CreateClient(options.DynamoDb)), options, time, logger);
    }

    /// <summary>The store over a client of the caller's (the scale bench counts what each request writes).</summary>
    internal static IStoreBackend Create(IAmazonDynamoDB client, StorageOptions options, TimeProvider time) =>
        new DynamoBackend(new DynamoClient(client), options, time, NullLogger.Instance);

    /// <summary>
    /// In AWS: the region's endpoint and the default credential chain (the Lambda role). With a ServiceUrl (a local
    /// server): credentials from the environment or a profile if there are any, otherwise dummy ones that a local
    /// server accepts. The full default chain is not tried locally because it ends by asking the EC2 metadata
    /// endpoint, which is slow to fail off AWS.
    /// </summary>
    internal static AmazonDynamoDBClient CreateClient(DynamoDbStoreOptions options)
    {
        var config = new AmazonDynamoDBConfig();
        if (!string.IsNullOrEmpty(options.ServiceUrl))
        {
            config.ServiceURL = options.ServiceUrl;
            config.AuthenticationRegion = options.Region ?? "us-east-1";
            return new AmazonDynamoDBClient(LocalCredentials(), config);
        }

        if (!string.IsNullOrEmpty(options.Region))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        return new AmazonDynamoDBClient(config);
    }

    private static AWSCredentials LocalCredentials()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID"))
            && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY")))
        {
            return new EnvironmentVariablesAWSCredentials();
        }

        var profile = Environment.GetEnvironmentVariable("AWS_PROFILE") ?? "default";
        return new CredentialProfileStoreChain().TryGetAWSCredentials(profile, out var credentials)
            ? credentials
            : new BasicAWSCredentials("local", "local");
    }

    private sealed class DynamoBackend : IStoreBackend, IDisposable
    {
        private readonly DynamoClient _client;

        public DynamoBackend(DynamoClient client, StorageOptions options, TimeProvider time, ILogger logger)
        {
            _client = client;
            var dynamo = options.DynamoDb;
            var runs = DynamoSchema.TableName(dynamo, DynamoSchema.Runs);
            var inbox = DynamoSchema.TableName(dynamo, DynamoSchema.Inbox);
            var jobs = DynamoSchema.TableName(dynamo, DynamoSchema.Jobs);
            Inbox = new DynamoInbox(client, inbox, jobs, options, time, logger);
            Jobs = new DynamoJobQueue(client, jobs, options, time);
            Runs = new DynamoRunStore(client, runs, time);
            Effects = new DynamoEffectLedger(client, runs, options, time);
            Audit = new DynamoAuditLog(client, runs, options, time);
            Admin = new DynamoAdmin(client, dynamo, logger);
            Operator = new DynamoOperatorStore(client, inbox, jobs, time);
            DataProtectionKeys = new DynamoKeyRing(client, runs);
        }

        public IWebhookInbox Inbox { get; }

        public IJobQueue Jobs { get; }

        public IRunStore Runs { get; }

        public IEffectLedger Effects { get; }

        public IAuditLog Audit { get; }

        public IStoreAdmin Admin { get; }

        public IOperatorStore Operator { get; }

        public IXmlRepository? DataProtectionKeys { get; }

        public void Dispose() => _client.Dispose();
    }
}
