using System.Globalization;
using Amazon.DynamoDBv2.Model;

namespace Orchestrator.Storage.DynamoDb;

/// <summary>Attribute values in and out of items, and the one time format every sortable attribute uses.</summary>
internal static class DynamoItems
{
    public static AttributeValue S(string value) => new() { S = value };

    public static AttributeValue N(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    public static AttributeValue B(byte[] value) => new() { B = new MemoryStream(value, writable: false) };

    /// <summary>
    /// UTC, round-trip ("O") format: always 28 characters ("2026-11-25T09:00:00.0000000Z"), so string order is time
    /// order in sort keys and in conditions, and the value comes back to the tick.
    /// </summary>
    public static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    public static AttributeValue TimeValue(DateTimeOffset value) => S(Time(value));

    /// <summary>The TTL attribute's value: epoch seconds.</summary>
    public static AttributeValue Epoch(DateTimeOffset value) => N(value.ToUnixTimeSeconds());

    public static DateTimeOffset ParseTime(string value) =>
        new(DateTime.ParseExact(value, "O", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind), TimeSpan.Zero);

    public static Dictionary<string, AttributeValue> Key(string pk) => new() { [DynamoSchema.PartitionKey] = S(pk) };

    public static Dictionary<string, AttributeValue> Key(string pk, string sk) =>
        new() { [DynamoSchema.PartitionKey] = S(pk), [DynamoSchema.SortKey] = S(sk) };

    public static string? GetString(this Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var value) ? value.S : null;

    public static string RequireString(this Dictionary<string, AttributeValue> item, string name) =>
        item.GetString(name) ?? throw new CorruptRecordException($"Item {item.GetString(DynamoSchema.PartitionKey)} has no attribute {name}.");

    /// <summary>
    /// True once the item's TTL has passed. DynamoDB deletes expired items only eventually (within days), so every
    /// read treats them as gone and every conditional create may overwrite them.
    /// </summary>
    public static bool IsExpired(this Dictionary<string, AttributeValue> item, DateTimeOffset now) =>
        item.GetNumber(DynamoSchema.TimeToLive) is { } expires && expires <= now.ToUnixTimeSeconds();

    /// <summary>The condition of a conditional create: no item, or only an expired one (<c>#ttl</c> and <c>:nowEpoch</c> must be defined).</summary>
    public const string AbsentOrExpired = "(attribute_not_exists(pk) OR #ttl <= :nowEpoch)";

    /// <summary>Reads an item into a record; an item that does not read is a <see cref="CorruptRecordException"/>.</summary>
    public static T Read<T>(Dictionary<string, AttributeValue> item, Func<Dictionary<string, AttributeValue>, T> read)
    {
        try
        {
            return read(item);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException or System.Text.Json.JsonException or InvalidDataException)
        {
            throw new CorruptRecordException($"Item {item.GetString(DynamoSchema.PartitionKey)} {item.GetString(DynamoSchema.SortKey)} cannot be read: {ex.Message}", ex);
        }
    }

    public static long? GetNumber(this Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var value) && value.N is { } n ? long.Parse(n, NumberStyles.Integer, CultureInfo.InvariantCulture) : null;

    public static DateTimeOffset? GetTime(this Dictionary<string, AttributeValue> item, string name) =>
        item.GetString(name) is { } text ? ParseTime(text) : null;

    public static byte[]? GetBytes(this Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var value) && value.B is { } stream ? stream.ToArray() : null;

    /// <summary>Adds the attribute only when there is a value (absent and null read back alike).</summary>
    public static Dictionary<string, AttributeValue> With(this Dictionary<string, AttributeValue> item, string name, string? value)
    {
        if (value is not null)
        {
            item[name] = S(value);
        }

        return item;
    }

    /// <summary>The reason code for one item of a cancelled transaction ("None", "ConditionalCheckFailed", ...).</summary>
    public static string? ReasonAt(this TransactionCanceledException exception, int index) =>
        exception.CancellationReasons is { } reasons && index < reasons.Count ? reasons[index].Code : null;

    public static bool ConditionFailedAt(this TransactionCanceledException exception, int index) =>
        exception.ReasonAt(index) == "ConditionalCheckFailed";
}
