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

    public string Location => $"DynamoDB tables {string.Join(", ", DynamoSchema.All.Select(t => DynamoSchema.TableName(options, t)))}"
        + (options.ServiceUrl is { Length: > 0 } url ? $" at {url}" : options.Region is { Length: > 0 } region ? $" in {region}" : string.Empty);

    /// <summary>
    /// Each table exists, is active and has the keys, indexes, stream and TTL of <see cref="DynamoSchema"/>; then a probe
    /// item is written to the runs table, read back and deleted.
    /// </summary>
    public async Task<IReadOnlyList<string>> VerifyAsync(CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        try
        {
            foreach (var definition in DynamoSchema.All)
            {
                var name = DynamoSchema.TableName(options, definition);
                var table = await DescribeAsync(name, cancellationToken).ConfigureAwait(false);
                if (table is null)
                {
                    problems.Add($"Table {name} does not exist (deploy the SAM template, or set Orchestrator:Storage:DynamoDb:CreateTables=true for a local endpoint).");
                    continue;
                }

                problems.AddRange(Compare(name, definition, table));
                if (!await IsTimeToLiveOnAsync(name, cancellationToken).ConfigureAwait(false))
                {
                    problems.Add($"Table {name} has no time to live on {DynamoSchema.TimeToLive}: expired items would never be deleted.");
                }
            }

            if (problems.Count == 0)
            {
                var runs = DynamoSchema.TableName(options, DynamoSchema.Runs);
                var key = new Dictionary<string, AttributeValue>
                {
                    [DynamoSchema.PartitionKey] = new("doctor#probe#" + Guid.NewGuid().ToString("N")),
                    [DynamoSchema.SortKey] = new("probe"),
                };
                var item = new Dictionary<string, AttributeValue>(key)
                {
                    [DynamoSchema.TimeToLive] = new() { N = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture) },
                };
                await client.PutItemAsync(new PutItemRequest { TableName = runs, Item = item }, cancellationToken).ConfigureAwait(false);
                var read = await client.GetItemAsync(new GetItemRequest { TableName = runs, Key = key, ConsistentRead = true }, cancellationToken).ConfigureAwait(false);
                await client.DeleteItemAsync(new DeleteItemRequest { TableName = runs, Key = key }, cancellationToken).ConfigureAwait(false);
                if (read.Item is not { Count: > 0 })
                {
                    problems.Add($"Table {runs} did not return an item it had just written.");
                }
            }
        }
        catch (StoreUnavailableException ex)
        {
            problems.Add(ex.Describe());
        }

        return problems;
    }

    private static IEnumerable<string> Compare(string name, TableDefinition definition, TableDescription table)
    {
        if (table.TableStatus != TableStatus.ACTIVE)
        {
            yield return $"Table {name} is {table.TableStatus}, not ACTIVE.";
        }

        if (!SameKeys(table.KeySchema, definition.HashKey, definition.RangeKey))
        {
            yield return $"Table {name} has the key ({Keys(table.KeySchema)}); this build expects ({definition.HashKey}{(definition.RangeKey is null ? string.Empty : ", " + definition.RangeKey)}).";
        }

        foreach (var index in definition.Indexes)
        {
            var found = table.GlobalSecondaryIndexes?.FirstOrDefault(i => i.IndexName == index.Name);
            if (found is null)
            {
                yield return $"Table {name} lacks the index {index.Name} ({index.HashKey}, {index.RangeKey}).";
            }
            else if (!SameKeys(found.KeySchema, index.HashKey, index.RangeKey))
            {
                yield return $"Index {index.Name} of table {name} has the key ({Keys(found.KeySchema)}); this build expects ({index.HashKey}, {index.RangeKey}).";
            }
        }

        if (definition.Stream is { } view && (table.StreamSpecification?.StreamEnabled != true || table.StreamSpecification.StreamViewType != view))
        {
            yield return $"Table {name} needs a stream of {view} (the worker runs jobs from it).";
        }
    }

    private static bool SameKeys(List<KeySchemaElement>? schema, string hashKey, string? rangeKey) =>
        schema is not null
        && schema.Any(k => k.KeyType == KeyType.HASH && k.AttributeName == hashKey)
        && (rangeKey is null ? schema.Count == 1 : schema.Any(k => k.KeyType == KeyType.RANGE && k.AttributeName == rangeKey));

    private static string Keys(List<KeySchemaElement>? schema) => string.Join(", ", (schema ?? []).OrderBy(k => k.KeyType == KeyType.HASH ? 0 : 1).Select(k => k.AttributeName));

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
                Projection = new Projection { ProjectionType = i.Projection, NonKeyAttributes = i.NonKeyAttributes.Count > 0 ? [.. i.NonKeyAttributes] : null },
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
