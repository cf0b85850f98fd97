using Amazon.DynamoDBv2;

namespace Orchestrator.Storage.DynamoDb;

/// <summary>
/// The one place the DynamoDB key schema is written down. Local table creation uses these definitions and
/// the template tests check that deploy/template.yaml declares the same tables, keys, indexes, streams and TTL.
/// </summary>
public static class DynamoSchema
{
    public const string PartitionKey = "pk";
    public const string SortKey = "sk";
    public const string TimeToLive = "expiresAt";

    /// <summary>
    /// Index partition keys that a high-rate write path touches are spread over this many values ("pending#0".."pending#f",
    /// "runs#0".., "audit#0"..): DynamoDB serves at most 1,000 WRU/s and 3,000 RRU/s per partition key value, so one
    /// value per bucket throttles near 500 deliveries/s. Readers query every shard (in parallel) and merge.
    /// </summary>
    public const int Shards = 16;

    /// <summary>The shard of a key: the first hex digit of its SHA-256, so every shard gets an even share.</summary>
    public static int ShardOf(string key) => System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key))[0] & (Shards - 1);

    /// <summary>"{bucket}#{shard in hex}", e.g. "pending#a".</summary>
    public static string ShardKey(string bucket, int shard) => bucket + "#" + shard.ToString("x", System.Globalization.CultureInfo.InvariantCulture);

    public static IEnumerable<string> AllShards(string bucket) => Enumerable.Range(0, Shards).Select(s => ShardKey(bucket, s));

    /// <summary>Runs, their lookup items, the effect ledger and the audit log (single-table design).</summary>
    public static readonly TableDefinition Runs = new(
        "runs",
        [new(PartitionKey, ScalarAttributeType.S), new(SortKey, ScalarAttributeType.S), new("gsi1pk", ScalarAttributeType.S), new("gsi1sk", ScalarAttributeType.S)],
        HashKey: PartitionKey,
        RangeKey: SortKey,
        // Keys only: a run's document changes on every update and is read from the table anyway, so projecting it
        // would bill an index write per update; with keys only an update that keeps gsi1pk/gsi1sk writes no index.
        Indexes: [new("gsi1", "gsi1pk", "gsi1sk", ProjectionType.KEYS_ONLY, [])],
        Stream: null);

    /// <summary>Webhook deliveries; large payloads are compressed and split into chunk items under the same partition.</summary>
    public static readonly TableDefinition Inbox = new(
        "inbox",
        [new(PartitionKey, ScalarAttributeType.S), new(SortKey, ScalarAttributeType.S)],
        HashKey: PartitionKey,
        RangeKey: SortKey,
        Indexes: [],
        Stream: null);

    /// <summary>
    /// The job queue. The stream (new images) lets a Lambda worker run jobs as they are written; the "due"
    /// index lets any worker find claimable jobs by due time. It projects keys only, so that claiming a job (which
    /// leaves its index keys alone) writes no index entry at all; a poller reads the items of the entries it finds.
    /// </summary>
    public static readonly TableDefinition Jobs = new(
        "jobs",
        [new(PartitionKey, ScalarAttributeType.S), new("queue", ScalarAttributeType.S), new("dueAt", ScalarAttributeType.S)],
        HashKey: PartitionKey,
        RangeKey: null,
        Indexes: [new("due", "queue", "dueAt", ProjectionType.KEYS_ONLY, [])],
        Stream: StreamViewType.NEW_IMAGE);

    public static readonly IReadOnlyList<TableDefinition> All = [Runs, Inbox, Jobs];

    public static string TableName(DynamoDbStoreOptions options, TableDefinition table) => options.TablePrefix + table.Suffix;
}

public sealed record AttributeDefinitionSpec(string Name, ScalarAttributeType Type);

public sealed record IndexDefinition(string Name, string HashKey, string RangeKey, ProjectionType Projection, IReadOnlyList<string> NonKeyAttributes);

public sealed record TableDefinition(
    string Suffix,
    IReadOnlyList<AttributeDefinitionSpec> Attributes,
    string HashKey,
    string? RangeKey,
    IReadOnlyList<IndexDefinition> Indexes,
    StreamViewType? Stream);
