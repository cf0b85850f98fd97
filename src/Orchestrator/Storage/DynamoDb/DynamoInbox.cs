using System.IO.Compression;
using System.Security.Cryptography;
using Amazon.DynamoDBv2.Model;
using static Orchestrator.Storage.DynamoDb.DynamoItems;

namespace Orchestrator.Storage.DynamoDb;

/// <summary>
/// Inbox table: a delivery is a partition "delivery#{id}" with a header item (sk "header") and, when the
/// compressed payload does not fit in the header, chunk items (sk "chunk#{attempt}#0001", ...).
/// <para>The chunks are written first; then one transaction puts the header, the processing job and its
/// idempotency key, each only if new. The header names the attempt whose chunks it commits, so a delivery is
/// visible only once complete, and chunks of a failed or duplicate attempt are never read (they expire with the
/// rest through the TTL attribute, which every inbox item carries).</para>
/// </summary>
internal sealed class DynamoInbox(DynamoClient client, string table, string jobsTable, StorageOptions options, TimeProvider time) : IWebhookInbox
{
    /// <summary>Bytes of payload per item: DynamoDB items are limited to 400 KB including names and other attributes.</summary>
    internal const int ChunkBytes = 350_000;

    private const string HeaderSk = "header";
    private const string Brotli = "br";
    private const string Identity = "identity";

    public async Task<AcceptOutcome> AcceptAsync(WebhookDelivery delivery, bool withJob, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var pk = PartitionKey(delivery.DeliveryId);
        var expires = Epoch(delivery.ReceivedAt + options.InboxRetention);
        var (encoding, stored) = Encode(delivery.Payload);

        var header = new Dictionary<string, AttributeValue>
        {
            [DynamoSchema.PartitionKey] = S(pk),
            [DynamoSchema.SortKey] = S(HeaderSk),
            ["deliveryId"] = S(delivery.DeliveryId),
            ["event"] = S(delivery.Event),
            ["receivedAt"] = TimeValue(delivery.ReceivedAt),
            ["encoding"] = S(encoding),
            ["length"] = N(delivery.Payload.Length),
            ["sha256"] = S(Convert.ToHexStringLower(SHA256.HashData(delivery.Payload))),
            [DynamoSchema.TimeToLive] = expires,
        }.With("action", delivery.Action);
        if (delivery.HookId is { } hookId)
        {
            header["hookId"] = N(hookId);
        }

        if (stored.Length <= ChunkBytes)
        {
            header["chunks"] = N(0);
            if (stored.Length > 0)
            {
                header["payload"] = B(stored);
            }
        }
        else
        {
            // A redelivery of a stored id would write its chunks for nothing: look before writing megabytes.
            if (await ExistsAsync(pk, cancellationToken).ConfigureAwait(false))
            {
                return AcceptOutcome.Duplicate;
            }

            var attempt = Guid.NewGuid().ToString("N");
            var chunks = Split(stored).Select((chunk, i) => new WriteRequest
            {
                PutRequest = new PutRequest
                {
                    Item = new Dictionary<string, AttributeValue>
                    {
                        [DynamoSchema.PartitionKey] = S(pk),
                        [DynamoSchema.SortKey] = S(ChunkSk(attempt, i + 1)),
                        ["data"] = B(chunk),
                        [DynamoSchema.TimeToLive] = expires,
                    },
                },
            }).ToList();
            await client.BatchWriteAsync(table, chunks, cancellationToken).ConfigureAwait(false);
            header["chunks"] = N(chunks.Count);
            header["attempt"] = S(attempt);
        }

        var now = time.GetUtcNow();
        var job = InboxJob.For(delivery);
        var jobId = DynamoJobQueue.NewJobId(time);
        var writes = new List<TransactWriteItem>
        {
            new()
            {
                Put = new Put
                {
                    TableName = table,
                    Item = header,
                    ConditionExpression = AbsentOrExpired,
                    ExpressionAttributeNames = new() { ["#ttl"] = DynamoSchema.TimeToLive },
                    ExpressionAttributeValues = new() { [":nowEpoch"] = Epoch(now) },
                },
            },
        };
        if (withJob)
        {
            writes.AddRange(DynamoJobQueue.EnqueueWrites(jobsTable, job, jobId, now));
        }

        try
        {
            await client.TransactWriteItemsAsync(new TransactWriteItemsRequest { TransactItems = writes }, cancellationToken).ConfigureAwait(false);
            return AcceptOutcome.Accepted;
        }
        catch (TransactionCanceledException ex) when (ex.ConditionFailedAt(0) || ex.ConditionFailedAt(1))
        {
            // The header exists (a redelivery), or the delivery's job key does (the delivery was stored, processed
            // and has since expired from the inbox): either way this delivery was already accepted once.
            return AcceptOutcome.Duplicate;
        }
        catch (TransactionCanceledException ex)
        {
            throw new StoreUnavailableException($"DynamoDB cancelled storing delivery {delivery.DeliveryId}: {string.Join(", ", ex.CancellationReasons?.Select(r => r.Code) ?? [])}.", ex);
        }
    }

    public async Task<WebhookDelivery?> GetAsync(string deliveryId, CancellationToken cancellationToken)
    {
        var pk = PartitionKey(deliveryId);
        var response = await client.GetItemAsync(
            new GetItemRequest { TableName = table, Key = Key(pk, HeaderSk), ConsistentRead = true },
            cancellationToken).ConfigureAwait(false);
        if (response.Item is not { Count: > 0 } header || header.IsExpired(time.GetUtcNow()))
        {
            return null;
        }

        var stored = header.GetNumber("chunks") is > 0
            ? await ReadChunksAsync(pk, header, cancellationToken).ConfigureAwait(false)
            : header.GetBytes("payload") ?? [];
        return Read(header, h => Assemble(h, stored));
    }

    /// <summary>The chunks of the attempt that the header committed, in order.</summary>
    private async Task<byte[]> ReadChunksAsync(string pk, Dictionary<string, AttributeValue> header, CancellationToken cancellationToken)
    {
        var expected = header.GetNumber("chunks");
        var attempt = header.RequireString("attempt");
        var chunks = await client.QueryAllAsync(
            new QueryRequest
            {
                TableName = table,
                KeyConditionExpression = "pk = :pk AND begins_with(sk, :prefix)",
                ExpressionAttributeValues = new() { [":pk"] = S(pk), [":prefix"] = S($"chunk#{attempt}#") },
                ConsistentRead = true,
            },
            cancellationToken).ConfigureAwait(false);
        if (chunks.Count != expected)
        {
            throw new CorruptRecordException($"Delivery {header.GetString("deliveryId")} has {chunks.Count} of its {expected} chunks.");
        }

        // The sort keys are zero-padded, so the query returns the chunks in order.
        return [.. chunks.SelectMany(c => c.GetBytes("data") ?? [])];
    }

    /// <summary>The delivery from its header and stored payload, checked against the length and SHA-256 taken on receipt.</summary>
    private static WebhookDelivery Assemble(Dictionary<string, AttributeValue> header, byte[] stored)
    {
        var payload = Decode(header.RequireString("encoding"), stored);
        if (payload.Length != header.GetNumber("length") || Convert.ToHexStringLower(SHA256.HashData(payload)) != header.GetString("sha256"))
        {
            throw new InvalidDataException("The payload does not match its stored length and SHA-256.");
        }

        return new WebhookDelivery(
            header.RequireString("deliveryId"),
            header.RequireString("event"),
            header.GetString("action"),
            header.GetNumber("hookId"),
            ParseTime(header.RequireString("receivedAt")),
            payload);
    }

    internal static string PartitionKey(string deliveryId) => "delivery#" + deliveryId;

    internal static string ChunkSk(string attempt, int number) => $"chunk#{attempt}#{number:D4}";

    /// <summary>Brotli unless it does not make the payload smaller (already compressed or random data).</summary>
    internal static (string Encoding, byte[] Stored) Encode(byte[] payload)
    {
        using var output = new MemoryStream();
        using (var brotli = new BrotliStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            brotli.Write(payload);
        }

        return output.Length < payload.Length ? (Brotli, output.ToArray()) : (Identity, payload);
    }

    private static byte[] Decode(string encoding, byte[] stored)
    {
        if (encoding == Identity)
        {
            return stored;
        }

        if (encoding != Brotli)
        {
            throw new InvalidDataException($"Unknown payload encoding '{encoding}'.");
        }

        using var input = new BrotliStream(new MemoryStream(stored), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    private static IEnumerable<byte[]> Split(byte[] stored)
    {
        for (var offset = 0; offset < stored.Length; offset += ChunkBytes)
        {
            yield return stored[offset..Math.Min(stored.Length, offset + ChunkBytes)];
        }
    }

    private async Task<bool> ExistsAsync(string pk, CancellationToken cancellationToken)
    {
        var response = await client.GetItemAsync(
            new GetItemRequest
            {
                TableName = table,
                Key = Key(pk, HeaderSk),
                ConsistentRead = true,
                ProjectionExpression = "pk, #ttl",
                ExpressionAttributeNames = new() { ["#ttl"] = DynamoSchema.TimeToLive },
            },
            cancellationToken).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item && !item.IsExpired(time.GetUtcNow());
    }
}
