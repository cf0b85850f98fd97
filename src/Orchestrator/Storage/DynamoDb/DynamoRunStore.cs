using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using Orchestrator.Runs;
using static Orchestrator.Storage.DynamoDb.DynamoItems;

namespace Orchestrator.Storage.DynamoDb;

/// <summary>
/// Runs table, single-table design. Per run, in partition "run#{id}":
/// <list type="bullet">
/// <item>the run (sk "run"): the document as JSON plus version, state, repository and updatedAt; gsi1 ("runs#{shard}", id)
/// lists the latest runs, as ids sort by time;</item>
/// <item>while the run is active, a marker (sk "active") on gsi1 ("active#{shard}", id), since an item has only one gsi1pk.</item>
/// </list>
/// The buckets are spread over <see cref="DynamoSchema.Shards"/> values by the run id's hash; a list queries every
/// shard in parallel and merges by id. gsi1 projects keys only, so updating a run writes no index entry.
/// Lookup items (pk "thread#{id}", "pr#{repo}#{n}", "issue#{repo}#{n}", "corr#{id}", sk the run id) name the runs
/// that hold them. Every change writes the run (conditional on its version), the marker and the lookups that
/// appeared or disappeared in one transaction.
/// </summary>
internal sealed class DynamoRunStore(DynamoClient client, string table, TimeProvider time) : IRunStore
{
    private const string RunSk = "run";
    private const string ActiveSk = "active";
    private const string LatestBucket = "runs";
    private const string ActiveBucket = "active";
    private const int MaxTransactionItems = 100;

    public async Task<Run> CreateAsync(Run run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Version != 0)
        {
            throw new ArgumentException("A new run has version 0.", nameof(run));
        }

        var stored = run with { Version = 1 };
        var write = new TransactWriteItem
        {
            Put = new Put { TableName = table, Item = RunItem(stored), ConditionExpression = "attribute_not_exists(pk)" },
        };
        await WriteAsync(write, previous: null, stored, cancellationToken).ConfigureAwait(false);
        return stored;
    }

    public async Task<Run> UpdateAsync(Run run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);

        // The lookups to add and remove are the difference from the stored run, so read it first; the write is
        // still conditional on the version, which covers a writer that comes between.
        var previous = await GetAsync(run.Id, cancellationToken).ConfigureAwait(false);
        if (previous is null || previous.Version != run.Version)
        {
            throw Conflict(run.Id, run.Version, previous?.Version);
        }

        var stored = run with { Version = run.Version + 1, UpdatedAt = time.GetUtcNow() };
        var write = new TransactWriteItem
        {
            Put = new Put
            {
                TableName = table,
                Item = RunItem(stored),
                ConditionExpression = "version = :expected",
                ExpressionAttributeValues = new() { [":expected"] = N(run.Version) },
            },
        };
        await WriteAsync(write, previous, stored, cancellationToken).ConfigureAwait(false);
        return stored;
    }

    public async Task<Run?> GetAsync(RunId id, CancellationToken cancellationToken)
    {
        var response = await client.GetItemAsync(
            new GetItemRequest { TableName = table, Key = Key(RunPk(id.Value), RunSk), ConsistentRead = true },
            cancellationToken).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item ? ToRun(item) : null;
    }

    public async Task<IReadOnlyList<Run>> ListLatestAsync(int count, CancellationToken cancellationToken)
    {
        if (count <= 0)
        {
            return [];
        }

        var ids = await QueryIndexAsync(LatestBucket, count, cancellationToken).ConfigureAwait(false);
        return await GetManyAsync(ids, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<Run>> ListActiveAsync(string? repository, CancellationToken cancellationToken)
    {
        // Active runs are few (a handful per repository), so one query per marker shard and a filter on the repository
        // (after reading the runs) is cheaper than a bucket per repository that "all repositories" would have to enumerate.
        var ids = await QueryIndexAsync(ActiveBucket, int.MaxValue, cancellationToken).ConfigureAwait(false);
        var runs = await GetManyAsync(ids, cancellationToken).ConfigureAwait(false);

        // The index lags the table for a moment: trust the runs' own state and repository.
        return runs.Where(r => Run.IsActive(r.State) && (repository is null || r.Repository == repository)).ToList();
    }

    public Task<Run?> FindByThreadAsync(string threadId, CancellationToken cancellationToken) =>
        FindAsync(ThreadKey(threadId), r => r.Discord?.ThreadId == threadId, cancellationToken);

    public Task<Run?> FindByPullRequestAsync(string repository, int pullRequestNumber, CancellationToken cancellationToken) =>
        FindAsync(
            PullRequestKey(repository, pullRequestNumber),
            r => r.Repository == repository && r.Tasks.Any(t => t.PullRequestNumber == pullRequestNumber),
            cancellationToken);

    public Task<Run?> FindByIssueAsync(string repository, int issueNumber, CancellationToken cancellationToken) =>
        FindAsync(
            IssueKey(repository, issueNumber),
            r => r.Repository == repository && r.Tasks.Any(t => t.IssueNumber == issueNumber),
            cancellationToken);

    public Task<Run?> FindByCorrelationIdAsync(string correlationId, CancellationToken cancellationToken) =>
        FindAsync(
            CorrelationKey(correlationId),
            r => r.Tasks.Any(t => t.CorrelationId == correlationId) || r.Ship?.CorrelationId == correlationId,
            cancellationToken);

    internal static string RunPk(string id) => "run#" + id;

    /// <summary>The lookup partition keys that name this run.</summary>
    internal static HashSet<string> LookupKeys(Run run)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        if (run.Discord?.ThreadId is { } thread)
        {
            keys.Add(ThreadKey(thread));
        }

        foreach (var task in run.Tasks)
        {
            keys.Add(IssueKey(run.Repository, task.IssueNumber));
            keys.Add(CorrelationKey(task.CorrelationId));
            if (task.PullRequestNumber is { } pr)
            {
                keys.Add(PullRequestKey(run.Repository, pr));
            }
        }

        if (run.Ship?.CorrelationId is { } ship)
        {
            keys.Add(CorrelationKey(ship));
        }

        return keys;
    }

    private static string ThreadKey(string threadId) => "thread#" + threadId;

    private static string PullRequestKey(string repository, int number) => $"pr#{repository}#{number}";

    private static string IssueKey(string repository, int number) => $"issue#{repository}#{number}";

    private static string CorrelationKey(string correlationId) => "corr#" + correlationId;

    private static ConcurrencyConflictException Conflict(RunId id, long expected, long? actual) =>
        new(actual is null
            ? $"Run {id} does not exist (expected version {expected})."
            : $"Run {id} is at version {actual}, not {expected}: another writer updated it first.");

    /// <summary>
    /// Writes the run and, in the same transaction, its active marker and the lookups that changed. A transaction
    /// holds 100 items: lookups beyond that (a plan of dozens of issues) are added before it and removed after it,
    /// which is safe because a lookup is only a hint that <see cref="FindAsync"/> checks against the run.
    /// </summary>
    private async Task WriteAsync(TransactWriteItem runWrite, Run? previous, Run stored, CancellationToken cancellationToken)
    {
        var id = stored.Id.Value;
        var before = previous is null ? [] : LookupKeys(previous);
        var after = LookupKeys(stored);
        var added = after.Except(before).Select(k => new TransactWriteItem
        {
            Put = new Put
            {
                TableName = table,
                Item = new Dictionary<string, AttributeValue>(Key(k, id)) { ["runId"] = S(id) },
            },
        });
        var removed = before.Except(after).Select(k => new TransactWriteItem
        {
            Delete = new Delete { TableName = table, Key = Key(k, id) },
        });

        var writes = new List<TransactWriteItem> { runWrite };
        var wasActive = previous is not null && Run.IsActive(previous.State);
        var isActive = Run.IsActive(stored.State);
        if (isActive && !wasActive)
        {
            writes.Add(new TransactWriteItem
            {
                Put = new Put
                {
                    TableName = table,
                    Item = new Dictionary<string, AttributeValue>(Key(RunPk(id), ActiveSk))
                    {
                        ["gsi1pk"] = S(Shard(ActiveBucket, id)),
                        ["gsi1sk"] = S(id),
                    },
                },
            });
        }
        else if (!isActive && wasActive)
        {
            writes.Add(new TransactWriteItem { Delete = new Delete { TableName = table, Key = Key(RunPk(id), ActiveSk) } });
        }

        var lookups = added.Concat(removed).ToList();
        var inTransaction = lookups.Take(MaxTransactionItems - writes.Count).ToList();
        writes.AddRange(inTransaction);
        var overflow = lookups.Skip(inTransaction.Count).ToList();
        await client.BatchWriteAsync(table, [.. overflow.Where(w => w.Put is not null).Select(w => new WriteRequest { PutRequest = new PutRequest { Item = w.Put.Item } })], cancellationToken).ConfigureAwait(false);
        try
        {
            await client.TransactWriteItemsAsync(new TransactWriteItemsRequest { TransactItems = writes }, cancellationToken).ConfigureAwait(false);
        }
        catch (TransactionCanceledException ex) when (ex.ConditionFailedAt(0))
        {
            throw previous is null
                ? new ConcurrencyConflictException($"Run {id} already exists.")
                : Conflict(stored.Id, previous.Version, actual: null);
        }
        catch (TransactionCanceledException ex)
        {
            throw new StoreUnavailableException($"DynamoDB cancelled the write of run {id}: {string.Join(", ", ex.CancellationReasons?.Select(r => r.Code) ?? [])}.", ex);
        }

        await client.BatchWriteAsync(table, [.. overflow.Where(w => w.Delete is not null).Select(w => new WriteRequest { DeleteRequest = new DeleteRequest { Key = w.Delete.Key } })], cancellationToken).ConfigureAwait(false);
    }

    private static Dictionary<string, AttributeValue> RunItem(Run run) => new(Key(RunPk(run.Id.Value), RunSk))
    {
        ["doc"] = S(JsonSerializer.Serialize(run, RunJsonContext.Default.Run)),
        ["version"] = N(run.Version),
        ["state"] = S(run.State.ToString()),
        ["repository"] = S(run.Repository),
        ["updatedAt"] = TimeValue(run.UpdatedAt),
        ["gsi1pk"] = S(Shard(LatestBucket, run.Id.Value)),
        ["gsi1sk"] = S(run.Id.Value),
    };

    private static string Shard(string bucket, string runId) => DynamoSchema.ShardKey(bucket, DynamoSchema.ShardOf(runId));

    private static Run ToRun(Dictionary<string, AttributeValue> item) => Read(item, i =>
        JsonSerializer.Deserialize(i.RequireString("doc"), RunJsonContext.Default.Run)
            ?? throw new InvalidDataException("The document is empty."));

    /// <summary>Run ids from every shard of a gsi1 bucket, newest first.</summary>
    private async Task<List<string>> QueryIndexAsync(string bucket, int limit, CancellationToken cancellationToken)
    {
        var shards = await Task.WhenAll(DynamoSchema.AllShards(bucket).Select(async shard =>
        {
            var ids = new List<string>();
            var request = new QueryRequest
            {
                TableName = table,
                IndexName = "gsi1",
                KeyConditionExpression = "gsi1pk = :bucket",
                ExpressionAttributeValues = new() { [":bucket"] = S(shard) },
                ScanIndexForward = false,
                Limit = limit == int.MaxValue ? null : limit,
            };
            do
            {
                var response = await client.QueryAsync(request, cancellationToken).ConfigureAwait(false);
                ids.AddRange((response.Items ?? []).Select(i => i.RequireString("gsi1sk")));
                request.ExclusiveStartKey = response.LastEvaluatedKey is { Count: > 0 } last ? last : null;
            }
            while (request.ExclusiveStartKey is not null && ids.Count < limit);

            return ids;
        })).ConfigureAwait(false);
        return shards.SelectMany(ids => ids).OrderDescending(StringComparer.Ordinal).Take(limit).ToList();
    }

    /// <summary>The runs with these ids, read consistently, in the order of the ids; missing and unreadable ones are skipped.</summary>
    private async Task<List<Run>> GetManyAsync(List<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        var items = await client.BatchGetAsync(table, [.. ids.Distinct(StringComparer.Ordinal).Select(id => Key(RunPk(id), RunSk))], cancellationToken).ConfigureAwait(false);
        var byId = new Dictionary<string, Run>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            try
            {
                var run = ToRun(item);
                byId[run.Id.Value] = run;
            }
            catch (CorruptRecordException)
            {
                // a list shows what it can read; GetAsync on that id reports the damage
            }
        }

        return [.. ids.Where(byId.ContainsKey).Select(id => byId[id])];
    }

    /// <summary>The newest run that a lookup names and that still holds what was looked up.</summary>
    private async Task<Run?> FindAsync(string lookup, Func<Run, bool> holds, CancellationToken cancellationToken)
    {
        var request = new QueryRequest
        {
            TableName = table,
            KeyConditionExpression = "pk = :pk",
            ExpressionAttributeValues = new() { [":pk"] = S(lookup) },
            ScanIndexForward = false,
            ConsistentRead = true,
            Limit = 10,
        };
        do
        {
            var response = await client.QueryAsync(request, cancellationToken).ConfigureAwait(false);
            foreach (var item in response.Items ?? [])
            {
                if (await GetAsync(new RunId(item.RequireString("runId")), cancellationToken).ConfigureAwait(false) is { } run && holds(run))
                {
                    return run;
                }
            }

            request.ExclusiveStartKey = response.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (request.ExclusiveStartKey is not null);

        return null;
    }
}
