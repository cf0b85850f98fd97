using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestrator.Runs;

namespace Orchestrator.Storage.DynamoDb;

/// <summary>The run document stored in the runs table.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true,
    Converters = [typeof(RunIdJsonConverter)])]
[JsonSerializable(typeof(Run))]
internal sealed partial class DynamoJsonContext : JsonSerializerContext;

/// <summary>A run id is its string.</summary>
internal sealed class RunIdJsonConverter : JsonConverter<RunId>
{
    public override RunId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        new(reader.GetString() ?? throw new JsonException("A run id must be a string."));

    public override void Write(Utf8JsonWriter writer, RunId value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);
}
