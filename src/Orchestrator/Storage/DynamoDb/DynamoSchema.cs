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

    /// <summary>Every index projects whole items: the store reads dead-lettered jobs and audit entries from its indexes.</summary>
    public static readonly ProjectionType IndexProjection = ProjectionType.ALL;

    /// <summary>Runs, their lookup items, the effect ledger and the audit log (single-table design).</summary>
    public static readonly TableDefinition Runs = new(
        "runs",
        [new(PartitionKey, ScalarAttributeType.S), new(SortKey, ScalarAttributeType.S), new("gsi1pk", ScalarAttributeType.S), new("gsi1sk", ScalarAttributeType.S)],
        HashKey: PartitionKey,
        RangeKey: SortKey,
        Indexes: [new("gsi1", "gsi1pk", "gsi1sk")],
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
    /// index lets any worker find claimable jobs by due time.
    /// </summary>
    public static readonly TableDefinition Jobs = new(
        "jobs",
        [new(PartitionKey, ScalarAttributeType.S), new("queue", ScalarAttributeType.S), new("dueAt", ScalarAttributeType.S)],
        HashKey: PartitionKey,
        RangeKey: null,
        Indexes: [new("due", "queue", "dueAt")],
        Stream: StreamViewType.NEW_IMAGE);

    public static readonly IReadOnlyList<TableDefinition> All = [Runs, Inbox, Jobs];

    public static string TableName(DynamoDbStoreOptions options, TableDefinition table) => options.TablePrefix + table.Suffix;
}

public sealed record AttributeDefinitionSpec(string Name, ScalarAttributeType Type);

public sealed record IndexDefinition(string Name, string HashKey, string RangeKey);

public sealed record TableDefinition(
    string Suffix,
    IReadOnlyList<AttributeDefinitionSpec> Attributes,
    string HashKey,
    string? RangeKey,
    IReadOnlyList<IndexDefinition> Indexes,
    StreamViewType? Stream);
