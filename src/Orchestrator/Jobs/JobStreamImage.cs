using System.Globalization;
using System.Text.Json;
using Orchestrator.Storage.DynamoDb;

namespace Orchestrator.Jobs;

/// <summary>
/// How a job item of the jobs table reads in a stream record's NewImage. This is a contract with the DynamoDB store
/// and with the template's FilterCriteria (the template tests compare the filter with these constants): the item's
/// key starts "job#" and its "id" attribute is the job id; while the job waits to run, "queue" (the "due" index's
/// partition key) is a pending shard "pending#{n}" and "dueAt" (its sort key) is an ISO 8601 time; "state" names the
/// <see cref="Storage.JobState"/> (a claimed job keeps its shard, so the filter also asks for state Pending). The store
/// stays the judge of claimability: a record only tells the worker which job to try.
/// </summary>
public static class JobStreamImage
{
    public const string KeyPrefix = "job#";
    public const string QueueAttribute = "queue";
    public const string PendingQueuePrefix = "pending#";
    public const string IdAttribute = "id";
    public const string StateAttribute = "state";
    public const string DueAtAttribute = "dueAt";

    public static JobStreamDecision Decide(DynamoDbStreamRecord record, DateTimeOffset now)
    {
        if (record.EventName is not ("INSERT" or "MODIFY"))
        {
            return JobStreamDecision.Ignore($"event {record.EventName ?? "(none)"}");
        }

        var image = record.DynamoDb?.NewImage
            ?? throw new FormatException("An INSERT or MODIFY record has no NewImage; the stream must use NEW_IMAGE.");
        var key = ReadString(image, DynamoSchema.PartitionKey)
            ?? throw new FormatException($"The NewImage has no string '{DynamoSchema.PartitionKey}' attribute.");
        if (!key.StartsWith(KeyPrefix, StringComparison.Ordinal))
        {
            return JobStreamDecision.Ignore("not a job item");
        }

        var jobId = key.Length == KeyPrefix.Length ? string.Empty : ReadString(image, IdAttribute) ?? key[KeyPrefix.Length..];
        if (jobId.Length == 0)
        {
            throw new FormatException($"The job key '{key}' has no id.");
        }

        var queue = ReadString(image, QueueAttribute);
        if (queue is not null && !queue.StartsWith(PendingQueuePrefix, StringComparison.Ordinal))
        {
            return JobStreamDecision.Ignore($"queue {queue}", jobId);
        }

        var state = ReadString(image, StateAttribute);
        if (state is not null && !string.Equals(state, nameof(Storage.JobState.Pending), StringComparison.OrdinalIgnoreCase))
        {
            return JobStreamDecision.Ignore($"state {state}", jobId);
        }

        var due = ReadTime(image, DueAtAttribute);
        return due > now ? JobStreamDecision.Later(jobId) : JobStreamDecision.Claim(jobId);
    }

    private static string? ReadString(Dictionary<string, JsonElement> image, string name) =>
        image.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.Object
            && value.TryGetProperty("S", out var s) && s.ValueKind == JsonValueKind.String
            ? s.GetString()
            : null;

    private static DateTimeOffset? ReadTime(Dictionary<string, JsonElement> image, string name)
    {
        if (!image.TryGetValue(name, out var value) || value.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (value.TryGetProperty("S", out var s) && s.ValueKind == JsonValueKind.String)
        {
            return DateTimeOffset.TryParse(s.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                ? at
                : throw new FormatException($"'{name}' is not an ISO 8601 time.");
        }

        if (value.TryGetProperty("N", out var n) && n.ValueKind == JsonValueKind.String)
        {
            return long.TryParse(n.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : throw new FormatException($"'{name}' is not a number of seconds.");
        }

        return null;
    }
}

public enum JobStreamAction
{
    /// <summary>Not a claimable job (another item, a finished job, a removal): nothing to do.</summary>
    Ignore,

    /// <summary>A pending job due now: claim it by id and run it.</summary>
    Claim,

    /// <summary>A pending job due later: left to the scheduled drain.</summary>
    Later,
}

public sealed record JobStreamDecision(JobStreamAction Action, string? JobId, string? Reason)
{
    public static JobStreamDecision Ignore(string reason, string? jobId = null) => new(JobStreamAction.Ignore, jobId, reason);

    public static JobStreamDecision Claim(string jobId) => new(JobStreamAction.Claim, jobId, null);

    public static JobStreamDecision Later(string jobId) => new(JobStreamAction.Later, jobId, "due later");
}
