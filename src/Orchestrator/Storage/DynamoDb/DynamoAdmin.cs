using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace Orchestrator.Storage.DynamoDb;

/// <summary>Creates the tables of <see cref="DynamoSchema"/> when asked to (local use), and checks that they answer.</summary>
internal sealed partial class DynamoAdmin(DynamoClient client, DynamoDbStoreOptions options, ILogger logger) : IStoreAdmin
{
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (!options.CreateTables)
        {
            return; // in AWS the SAM template owns the tables
        }

        foreach (var definition in DynamoSchema.All)
        {
            var name = DynamoSchema.TableName(options, definition);
            if (await DescribeAsync(name, cancellationToken).ConfigureAwait(false) is null)
            {
                try
                {
                    await client.CreateTableAsync(CreateRequest(name, definition), cancellationToken).ConfigureAwait(false);
                    Log.TableCreated(logger, name);
                }
                catch (ResourceInUseException)
                {
                    // another instance created it at the same time
                }
            }

            await WaitUntilActiveAsync(name, cancellationToken).ConfigureAwait(false);
            await EnableTimeToLiveAsync(name, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            foreach (var definition in DynamoSchema.All)
            {
                await client.DescribeTableAsync(DynamoSchema.TableName(options, definition), cancellationToken).ConfigureAwait(false);
            }

            return true;
        }
        catch (StoreUnavailableException ex)
        {
            Log.Unreachable(logger, ex);
            return false;
        }
    }

    internal static CreateTableRequest CreateRequest(string name, TableDefinition definition)
    {
        var request = new CreateTableRequest
        {
            TableName = name,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions = [.. definition.Attributes.Select(a => new AttributeDefinition(a.Name, a.Type))],
            KeySchema = KeySchema(definition.HashKey, definition.RangeKey),
        };
        if (definition.Indexes.Count > 0)
        {
            request.GlobalSecondaryIndexes = [.. definition.Indexes.Select(i => new GlobalSecondaryIndex
            {
                IndexName = i.Name,
                KeySchema = KeySchema(i.HashKey, i.RangeKey),
                Projection = new Projection { ProjectionType = DynamoSchema.IndexProjection },
            })];
        }

        if (definition.Stream is { } view)
        {
            request.StreamSpecification = new StreamSpecification { StreamEnabled = true, StreamViewType = view };
        }

        return request;
    }

    private async Task EnableTimeToLiveAsync(string name, CancellationToken cancellationToken)
    {
        if (await IsTimeToLiveOnAsync(name, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        try
        {
            await client.UpdateTimeToLiveAsync(
                new UpdateTimeToLiveRequest
                {
                    TableName = name,
                    TimeToLiveSpecification = new TimeToLiveSpecification { AttributeName = DynamoSchema.TimeToLive, Enabled = true },
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonDynamoDBException ex) when (ex.ErrorCode == "ValidationException")
        {
            // Another instance starting at the same time turned it on between our look and our update, and DynamoDB
            // refuses to enable it twice ("TimeToLive is already enabled"). Only a TTL that is still off is an error.
            if (!await IsTimeToLiveOnAsync(name, cancellationToken).ConfigureAwait(false))
            {
                throw;
            }
        }
    }

    private async Task<bool> IsTimeToLiveOnAsync(string name, CancellationToken cancellationToken)
    {
        var ttl = (await client.DescribeTimeToLiveAsync(name, cancellationToken).ConfigureAwait(false)).TimeToLiveDescription;
        return ttl?.TimeToLiveStatus == TimeToLiveStatus.ENABLED || ttl?.TimeToLiveStatus == TimeToLiveStatus.ENABLING;
    }

    private static List<KeySchemaElement> KeySchema(string hashKey, string? rangeKey) =>
        rangeKey is null
            ? [new KeySchemaElement(hashKey, KeyType.HASH)]
            : [new KeySchemaElement(hashKey, KeyType.HASH), new KeySchemaElement(rangeKey, KeyType.RANGE)];

    private async Task<TableDescription?> DescribeAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return (await client.DescribeTableAsync(name, cancellationToken).ConfigureAwait(false)).Table;
        }
        catch (StoreUnavailableException ex) when (ex.InnerException is ResourceNotFoundException)
        {
            return null;
        }
    }

    /// <summary>A table accepts writes only once ACTIVE (dynalite answers ResourceNotFound before).</summary>
    private async Task WaitUntilActiveAsync(string name, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        var delay = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            var table = await DescribeAsync(name, timeout.Token).ConfigureAwait(false);
            if (table?.TableStatus == TableStatus.ACTIVE
                && (table.GlobalSecondaryIndexes ?? []).All(i => i.IndexStatus == IndexStatus.ACTIVE))
            {
                return;
            }

            // Real time on purpose: it is the server's table creation that is awaited, not the domain's clock.
            await Task.Delay(delay, timeout.Token).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 1000));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 650, Level = LogLevel.Information, Message = "Created DynamoDB table {Table}")]
        public static partial void TableCreated(ILogger logger, string table);

        [LoggerMessage(EventId = 651, Level = LogLevel.Warning, Message = "DynamoDB tables do not answer")]
        public static partial void Unreachable(ILogger logger, Exception exception);
    }
}
