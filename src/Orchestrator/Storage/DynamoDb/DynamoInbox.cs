using System.IO.Compression;
using System.Security.Cryptography;
using Amazon.DynamoDBv2.Model;
using static Orchestrator.Storage.DynamoDb.DynamoItems;

namespace Orchestrator.Storage.DynamoDb;

/// <summary>
/// Inbox table: a delivery is a partition "delivery#{id}" with a header item (sk "header") and, when the
/// compressed payload does not fit in the header, chunk items (sk "chunk#{attempt}#0001", ...).
/// <para>The chunks are written first, then the header, then the processing job, each a plain conditional put
/// (a transaction would bill every write twice). The header names the attempt whose chunks it commits, so a
/// delivery is visible only once complete, and chunks of a failed or duplicate attempt are never read (they expire
/// with the rest through the TTL attribute, which every inbox item carries). Whoever creates the job accepted the
/// delivery: a process that stopped between the header and the job leaves a header without a job, and the
/// redelivery that follows (GitHub got no answer) finds the header and creates the job. A header older than the
/// completed-job retention had its job, which may have expired since: that redelivery is a duplicate.</para>
/// <para>A duplicate is counted on the stored header (<c>duplicates</c>, <c>lastDuplicateAt</c>) by an update after
/// the answer is known; that count is best effort (see <see cref="CountDuplicateAsync"/>).</para>
/// </summary>
internal sealed partial class DynamoInbox(DynamoClient client, string table, string jobsTable, StorageOptions options, TimeProvider time, ILogger logger) : IWebhookInbox
{
    /// <summary>Bytes of payload per item: DynamoDB items are limited to 400 KB including names and other attributes.</summary>
    internal const int ChunkBytes = 350_000;

    private const string HeaderSk = "header";
    private const string Brotli = "br";
    private const string Identity = "identity";

    public Task<AcceptOutcome> AcceptAsync(WebhookDelivery delivery, CancellationToken cancellationToken) =>
        StoreAsync(delivery, withJob: true, cancellationToken);

    public Task<AcceptOutcome> StoreWithoutJobAsync(WebhookDelivery delivery, CancellationToken cancellationToken) =>
        StoreAsync(delivery, withJob: false, cancellationToken);

    private async Task<AcceptOutcome> StoreAsync(WebhookDelivery delivery, bool withJob, CancellationToken cancellationToken)
    {
        var outcome = await WriteAsync(delivery, withJob, cancellationToken).ConfigureAwait(false);
        if (outcome == AcceptOutcome.Duplicate)
        {
            await CountDuplicateAsync(delivery.DeliveryId, cancellationToken).ConfigureAwait(false);
        }

        return outcome;
    }

    private async Task<AcceptOutcome> WriteAsync(WebhookDelivery delivery, bool withJob, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var pk = PartitionKey(delivery.DeliveryId);
        var expires = Epoch(delivery.ReceivedAt + options.InboxRetention);
        var (encoding, stored) = Encode(delivery.Payload);

        var header = new Dictionary<string, AttributeValue>
        {
            [DynamoSchema.PartitionKey] = S(pk),
            [DynamoSchema.SortKey] = S(HeaderSk),
            ["event"] = S(delivery.Event),
            ["receivedAt"] = TimeValue(delivery.ReceivedAt),
            ["encoding"] = S(encoding),
            ["length"] = N(delivery.Payload.Length),
            ["sha256"] = B(SHA256.HashData(delivery.Payload)),
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
            if (await HeaderAsync(pk, cancellationToken).ConfigureAwait(false) is { } earlier)
            {
                return withJob ? await EnqueueJobAsync(delivery, earlier, cancellationToken).ConfigureAwait(false) : AcceptOutcome.Duplicate;
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

        try
        {
            await client.PutItemAsync(
                new PutItemRequest
                {
                    TableName = table,
                    Item = header,
                    ConditionExpression = AbsentOrExpired,
                    ExpressionAttributeNames = new() { ["#ttl"] = DynamoSchema.TimeToLive },
                    ExpressionAttributeValues = new() { [":nowEpoch"] = Epoch(time.GetUtcNow()) },
                    ReturnValuesOnConditionCheckFailure = Amazon.DynamoDBv2.ReturnValuesOnConditionCheckFailure.ALL_OLD,
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (ConditionalCheckFailedException ex)
        {
            if (!withJob)
            {
                return AcceptOutcome.Duplicate; // without a job, the stored header is the whole of an acceptance
            }

            var existing = ex.Item is { Count: > 0 } old ? old : await HeaderAsync(pk, cancellationToken).ConfigureAwait(false);
            return await EnqueueJobAsync(delivery, existing, cancellationToken).ConfigureAwait(false);
        }

        return withJob ? await EnqueueJobAsync(delivery, storedHeader: null, cancellationToken).ConfigureAwait(false) : AcceptOutcome.Accepted;
    }

    /// <summary>
    /// Counts a redelivery on the stored header, never creating one (a header expired and deleted meanwhile stays
    /// gone). Best effort: the delivery is stored and the answer is a duplicate whatever happens here, so a failure
    /// (throttling, an unreachable endpoint, the caller giving up) is logged and that one count is lost.
    /// </summary>
    private async Task CountDuplicateAsync(string deliveryId, CancellationToken cancellationToken)
    {
        try
        {
            await client.UpdateItemAsync(
                new UpdateItemRequest
                {
                    TableName = table,
                    Key = Key(PartitionKey(deliveryId), HeaderSk),
                    ConditionExpression = "attribute_exists(pk)",
                    UpdateExpression = "ADD duplicates :one SET lastDuplicateAt = :now",
                    ExpressionAttributeValues = new() { [":one"] = N(1), [":now"] = TimeValue(time.GetUtcNow()) },
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.DuplicateNotCounted(logger, ex, deliveryId);
        }
    }

    /// <summary>
    /// Creates the delivery's job unless it exists at all, even expired: whoever creates it accepted the delivery.
    /// With a header stored earlier (<paramref name="storedHeader"/>) older than the completed-job retention, the job
    /// it had may have expired and gone: a duplicate without looking.
    /// </summary>
    private async Task<AcceptOutcome> EnqueueJobAsync(WebhookDelivery delivery, Dictionary<string, AttributeValue>? storedHeader, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (storedHeader?.GetTime("receivedAt") is { } storedAt && storedAt + options.CompletedJobRetention <= now)
        {
            return AcceptOutcome.Duplicate;
        }

        var job = InboxJob.For(delivery);
        try
        {
            await client.PutItemAsync(DynamoJobQueue.EnqueuePut(jobsTable, job, DynamoJobQueue.NewJobId(time, job.IdempotencyKey), now, ifAbsent: true), cancellationToken).ConfigureAwait(false);
            return AcceptOutcome.Accepted;
        }
        catch (ConditionalCheckFailedException)
        {
            return AcceptOutcome.Duplicate;
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
            throw new CorruptRecordException($"Delivery {DeliveryIdOf(header)} has {chunks.Count} of its {expected} chunks.");
        }

        // The sort keys are zero-padded, so the query returns the chunks in order.
        return [.. chunks.SelectMany(c => c.GetBytes("data") ?? [])];
    }

    /// <summary>The delivery from its header and stored payload, checked against the length and SHA-256 taken on receipt.</summary>
    private static WebhookDelivery Assemble(Dictionary<string, AttributeValue> header, byte[] stored)
    {
        var payload = Decode(header.RequireString("encoding"), stored);
        if (payload.Length != header.GetNumber("length") || !SHA256.HashData(payload).AsSpan().SequenceEqual(header.GetBytes("sha256")))
        {
            throw new InvalidDataException("The payload does not match its stored length and SHA-256.");
        }

        return new WebhookDelivery(
            DeliveryIdOf(header),
            header.RequireString("event"),
            header.GetString("action"),
            header.GetNumber("hookId"),
            ParseTime(header.RequireString("receivedAt")),
            payload);
    }

    internal static string PartitionKey(string deliveryId) => "delivery#" + deliveryId;

    /// <summary>The delivery id is not stored twice: it is the header's partition key after "delivery#".</summary>
    private static string DeliveryIdOf(Dictionary<string, AttributeValue> header) => header.RequireString(DynamoSchema.PartitionKey)["delivery#".Length..];

    internal static string ChunkSk(string attempt, int number) => $"chunk#{attempt}#{number:D4}";

    /// <summary>
    /// Brotli unless it does not make the payload smaller (already compressed or random data). Quality 6: on GitHub's
    /// example payloads (median 12.6 KB) it stores a median of 1.8 KB in about 0.3 ms, where quality 4 (the
    /// "Optimal" level) stores 1.95 KB and 11 stores 1.67 KB in 20 ms; write units are billed per started KB.
    /// </summary>
    internal static (string Encoding, byte[] Stored) Encode(byte[] payload)
    {
        var buffer = new byte[BrotliEncoder.GetMaxCompressedLength(payload.Length)];
        return BrotliEncoder.TryCompress(payload, buffer, out var written, quality: 6, window: 22) && written < payload.Length
            ? (Brotli, buffer[..written])
            : (Identity, payload);
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

    private async Task<Dictionary<string, AttributeValue>?> HeaderAsync(string pk, CancellationToken cancellationToken)
    {
        var response = await client.GetItemAsync(
            new GetItemRequest
            {
                TableName = table,
                Key = Key(pk, HeaderSk),
                ConsistentRead = true,
                ProjectionExpression = "receivedAt, #ttl",
                ExpressionAttributeNames = new() { ["#ttl"] = DynamoSchema.TimeToLive },
            },
            cancellationToken).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item && !item.IsExpired(time.GetUtcNow()) ? item : null;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 660, Level = LogLevel.Warning, Message = "Delivery {DeliveryId} was received again but its duplicate count was not updated; it is answered as a duplicate all the same")]
        public static partial void DuplicateNotCounted(ILogger logger, Exception exception, string deliveryId);
    }
}
