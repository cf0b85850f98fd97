using Amazon.DynamoDBv2.Model;
using static Orchestrator.Storage.DynamoDb.DynamoItems;

namespace Orchestrator.Storage.DynamoDb;

/// <summary>Effect records in the runs table (pk "effect#{key}", sk "effect"), kept for the completed-job retention.</summary>
internal sealed class DynamoEffectLedger(DynamoClient client, string table, StorageOptions options, TimeProvider time) : IEffectLedger
{
    private const string EffectSk = "effect";

    public async Task<EffectClaim> BeginAsync(string key, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var record = new EffectRecord(key, EffectState.Started, Result: null, StartedAt: now, CompletedAt: null);
        try
        {
            await client.PutItemAsync(
                new PutItemRequest
                {
                    TableName = table,
                    Item = new Dictionary<string, AttributeValue>(Key(EffectPk(key), EffectSk))
                    {
                        ["key"] = S(key),
                        ["state"] = S(nameof(EffectState.Started)),
                        ["startedAt"] = TimeValue(now),
                        [DynamoSchema.TimeToLive] = Epoch(now + options.CompletedJobRetention),
                    },
                    ConditionExpression = AbsentOrExpired,
                    ExpressionAttributeNames = new() { ["#ttl"] = DynamoSchema.TimeToLive },
                    ExpressionAttributeValues = new() { [":nowEpoch"] = Epoch(now) },
                },
                cancellationToken).ConfigureAwait(false);
            return new EffectClaim(record, IsNew: true);
        }
        catch (ConditionalCheckFailedException)
        {
            var existing = await GetAsync(key, cancellationToken).ConfigureAwait(false)
                ?? throw new StoreUnavailableException($"Effect {key} vanished while it was being claimed.");
            return new EffectClaim(existing, IsNew: false);
        }
    }

    public async Task CompleteAsync(string key, string result, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await client.UpdateItemAsync(
            new UpdateItemRequest
            {
                TableName = table,
                Key = Key(EffectPk(key), EffectSk),
                UpdateExpression = "SET #key = :key, #state = :completed, #result = :result, completedAt = :now, startedAt = if_not_exists(startedAt, :now), #ttl = :expires",
                ExpressionAttributeNames = new() { ["#key"] = "key", ["#state"] = "state", ["#result"] = "result", ["#ttl"] = DynamoSchema.TimeToLive },
                ExpressionAttributeValues = new()
                {
                    [":key"] = S(key),
                    [":completed"] = S(nameof(EffectState.Completed)),
                    [":result"] = S(result),
                    [":now"] = TimeValue(now),
                    [":expires"] = Epoch(now + options.CompletedJobRetention),
                },
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<EffectRecord?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var response = await client.GetItemAsync(
            new GetItemRequest { TableName = table, Key = Key(EffectPk(key), EffectSk), ConsistentRead = true },
            cancellationToken).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item && !item.IsExpired(time.GetUtcNow())
            ? Read(item, i => new EffectRecord(
                i.RequireString("key"),
                Enum.Parse<EffectState>(i.RequireString("state")),
                i.GetString("result"),
                ParseTime(i.RequireString("startedAt")),
                i.GetTime("completedAt")))
            : null;
    }

    private static string EffectPk(string key) => "effect#" + key;
}
