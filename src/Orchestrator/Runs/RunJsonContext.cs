using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Runs;

/// <summary>
/// The stored form of a <see cref="Run"/> document: camelCase, enums as names, run ids as plain strings.
/// Reading is strict about what the records promise (no null where a member is not nullable, no missing
/// constructor argument), so a damaged document fails to read instead of producing a half-empty run. Nulls are
/// written out for that reason; a member added later with a default value keeps older documents readable.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    Converters = [typeof(RunIdJsonConverter)])]
[JsonSerializable(typeof(Run))]
internal sealed partial class RunJsonContext : JsonSerializerContext;

internal sealed class RunIdJsonConverter : JsonConverter<RunId>
{
    public override RunId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetString() is { Length: > 0 } value ? new RunId(value) : throw new JsonException("A run id must be a non-empty string.");

    public override void Write(Utf8JsonWriter writer, RunId value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);
}
