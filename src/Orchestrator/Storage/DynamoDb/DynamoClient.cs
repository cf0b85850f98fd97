using System.Net.Sockets;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;

namespace Orchestrator.Storage.DynamoDb;

/// <summary>
/// The low-level client with the store's error rule applied to every call: throttling, an unreachable endpoint,
/// a missing table and server errors become <see cref="StoreUnavailableException"/> (endpoints answer 503);
/// conditional failures and validation errors pass through for the caller to interpret.
/// </summary>
internal sealed class DynamoClient(IAmazonDynamoDB client) : IDisposable
{
    public Task<GetItemResponse> GetItemAsync(GetItemRequest request, CancellationToken cancellationToken) =>
        GuardAsync(() => client.GetItemAsync(request, cancellationToken), cancellationToken);

    public Task<PutItemResponse> PutItemAsync(PutItemRequest request, CancellationToken cancellationToken) =>
        GuardAsync(() => client.PutItemAsync(request, cancellationToken), cancellationToken);

    public Task<DeleteItemResponse> DeleteItemAsync(DeleteItemRequest request, CancellationToken cancellationToken) =>
        GuardAsync(() => client.DeleteItemAsync(request, cancellationToken), cancellationToken);

    public Task<UpdateItemResponse> UpdateItemAsync(UpdateItemRequest request, CancellationToken cancellationToken) =>
        GuardAsync(() => client.UpdateItemAsync(request, cancellationToken), cancellationToken);

    public Task<QueryResponse> QueryAsync(QueryRequest request, CancellationToken cancellationToken) =>
        GuardAsync(() => client.QueryAsync(request, cancellationToken), cancellationToken);

    public Task<ScanResponse> ScanAsync(ScanRequest request, CancellationToken cancellationToken) =>
        GuardAsync(() => client.ScanAsync(request, cancellationToken), cancellationToken);

    public Task<TransactWriteItemsResponse> TransactWriteItemsAsync(TransactWriteItemsRequest request, CancellationToken cancellationToken) =>
        GuardAsync(() => client.TransactWriteItemsAsync(request, cancellationToken), cancellationToken);

    public Task<DescribeTableResponse> DescribeTableAsync(string tableName, CancellationToken cancellationToken) =>
        GuardAsync(() => client.DescribeTableAsync(new DescribeTableRequest { TableName = tableName }, cancellationToken), cancellationToken);

    public Task<CreateTableResponse> CreateTableAsync(CreateTableRequest request, CancellationToken cancellationToken) =>
        GuardAsync(() => client.CreateTableAsync(request, cancellationToken), cancellationToken);

    public Task<DescribeTimeToLiveResponse> DescribeTimeToLiveAsync(string tableName, CancellationToken cancellationToken) =>
        GuardAsync(() => client.DescribeTimeToLiveAsync(new DescribeTimeToLiveRequest { TableName = tableName }, cancellationToken), cancellationToken);

    public Task<UpdateTimeToLiveResponse> UpdateTimeToLiveAsync(UpdateTimeToLiveRequest request, CancellationToken cancellationToken) =>
        GuardAsync(() => client.UpdateTimeToLiveAsync(request, cancellationToken), cancellationToken);

    /// <summary>Writes every item (any number), retrying the unprocessed ones a few times.</summary>
    public async Task BatchWriteAsync(string tableName, IReadOnlyList<WriteRequest> writes, CancellationToken cancellationToken)
    {
        foreach (var batch in writes.Chunk(25))
        {
            var pending = new Dictionary<string, List<WriteRequest>> { [tableName] = [.. batch] };
            for (var attempt = 1; pending.Count > 0; attempt++)
            {
                if (attempt > 8)
                {
                    throw new StoreUnavailableException($"DynamoDB kept {pending[tableName].Count} write(s) to {tableName} unprocessed.");
                }

                if (attempt > 1)
                {
                    // Unprocessed items mean throttling: back off in real time, as it is the server that recovers.
                    await Task.Delay(TimeSpan.FromMilliseconds(25 << attempt), cancellationToken).ConfigureAwait(false);
                }

                var response = await GuardAsync(() => client.BatchWriteItemAsync(new BatchWriteItemRequest { RequestItems = pending }, cancellationToken), cancellationToken).ConfigureAwait(false);
                pending = response.UnprocessedItems is { Count: > 0 } unprocessed ? unprocessed : [];
            }
        }
    }

    /// <summary>Reads the items with these keys (any number, consistently unless told), in no particular order; missing keys are skipped.</summary>
    public async Task<List<Dictionary<string, AttributeValue>>> BatchGetAsync(string tableName, IReadOnlyList<Dictionary<string, AttributeValue>> keys, CancellationToken cancellationToken, bool consistent = true)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        foreach (var batch in keys.Chunk(100))
        {
            var pending = new Dictionary<string, KeysAndAttributes> { [tableName] = new() { Keys = [.. batch], ConsistentRead = consistent } };
            for (var attempt = 1; pending.Count > 0; attempt++)
            {
                if (attempt > 8)
                {
                    throw new StoreUnavailableException($"DynamoDB kept reads from {tableName} unprocessed.");
                }

                if (attempt > 1)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(25 << attempt), cancellationToken).ConfigureAwait(false);
                }

                var response = await GuardAsync(() => client.BatchGetItemAsync(new BatchGetItemRequest { RequestItems = pending }, cancellationToken), cancellationToken).ConfigureAwait(false);
                if (response.Responses?.GetValueOrDefault(tableName) is { } found)
                {
                    items.AddRange(found);
                }

                pending = response.UnprocessedKeys is { Count: > 0 } unprocessed ? unprocessed : [];
            }
        }

        return items;
    }

    /// <summary>Every item a query matches, following pagination.</summary>
    public async Task<List<Dictionary<string, AttributeValue>>> QueryAllAsync(QueryRequest request, CancellationToken cancellationToken)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        do
        {
            var response = await QueryAsync(request, cancellationToken).ConfigureAwait(false);
            items.AddRange(response.Items ?? []);
            request.ExclusiveStartKey = response.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (request.ExclusiveStartKey is not null);

        return items;
    }

    /// <summary>How many items a query matches (Select COUNT), following pagination.</summary>
    public async Task<long> CountAsync(QueryRequest request, CancellationToken cancellationToken)
    {
        request.Select = Select.COUNT;
        long count = 0;
        do
        {
            var response = await QueryAsync(request, cancellationToken).ConfigureAwait(false);
            count += response.Count ?? 0;
            request.ExclusiveStartKey = response.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (request.ExclusiveStartKey is not null);

        return count;
    }

    public void Dispose() => client.Dispose();

    /// <summary>True for an error that says the store cannot serve now, rather than that the request was wrong.</summary>
    public static bool IsUnavailable(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        ConditionalCheckFailedException or TransactionCanceledException => false,
        ProvisionedThroughputExceededException or RequestLimitExceededException or ThrottlingException
            or ResourceNotFoundException or InternalServerErrorException or LimitExceededException
            or TransactionInProgressException => true,
        AmazonServiceException service => (int)service.StatusCode >= 500
            || service.ErrorCode is "ThrottlingException" or "ServiceUnavailable" or "UnrecognizedClientException"
                or "InvalidSignatureException" or "ExpiredTokenException" or "AccessDeniedException",
        AmazonClientException or HttpRequestException or SocketException or IOException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested, // the client's own timeout
        _ => false,
    };

    private static async Task<T> GuardAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnavailable(ex, cancellationToken))
        {
            throw new StoreUnavailableException($"DynamoDB is unavailable: {ex.GetType().Name}.", ex);
        }
    }
}
