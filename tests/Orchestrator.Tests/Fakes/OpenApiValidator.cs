using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Orchestrator.Tests.Fakes;

/// <summary>What a check of one request found: the operation (null when the path or method is unknown) and every violation.</summary>
public sealed record RequestCheck(OpenApiOperation? Operation, IReadOnlyDictionary<string, string> PathValues, IReadOnlyList<string> Errors)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>
/// Checks requests and responses against an <see cref="OpenApiDocument"/>: the path template and method must
/// exist, path and query parameters must fit their schemas (no unknown query parameters), a JSON body must fit
/// the request body schema, and a response body must fit the schema of its status.
/// <para>The schema subset is what GitHub's (OpenAPI 3.0) and Discord's (3.1) descriptions use: <c>$ref</c>,
/// <c>type</c> (string or array), 3.0 <c>nullable</c>, <c>enum</c>, <c>const</c>, <c>properties</c>,
/// <c>required</c>, <c>additionalProperties</c>, <c>patternProperties</c>, <c>items</c>, <c>allOf</c>/<c>anyOf</c>/<c>oneOf</c>/<c>not</c>,
/// string/number/array/object bounds, <c>pattern</c>, <c>uniqueItems</c>, and the formats date-time, date,
/// uri, email and uuid (loosely). Other formats, <c>discriminator</c>, <c>readOnly</c>/<c>writeOnly</c> and
/// header parameters are not checked.</para>
/// <para>Two allowances cover gaps between GitHub's description and GitHub's documented behaviour, and are
/// narrow on purpose: a query parameter of format date-time also takes the search syntax its description
/// points to ("&gt;=2026-11-25T09:00:00Z", "a..b"), each bound still checked; and an error status (4xx/5xx)
/// that an operation does not list is checked against <see cref="GenericErrorSchema"/> when one is set.</para>
/// </summary>
public sealed class OpenApiValidator(OpenApiDocument document)
{
    private const int MaxDepth = 200;

    private static readonly ConcurrentDictionary<string, Regex> Patterns = new(StringComparer.Ordinal);

    public OpenApiDocument Document => document;

    /// <summary>
    /// A $ref to the schema of the API's generic error body ("#/components/schemas/basic-error" for GitHub),
    /// used for 4xx/5xx answers an operation does not list (GitHub documents few of the errors it sends).
    /// </summary>
    public string? GenericErrorSchema { get; init; }

    /// <summary>Checks a request whose path includes the description's base path (e.g. "/api/v10/channels/1/messages").</summary>
    public RequestCheck CheckRequest(
        string method,
        string path,
        IReadOnlyList<KeyValuePair<string, string>> query,
        string? contentType,
        ReadOnlyMemory<byte> body)
    {
        var errors = new List<string>();
        if (!path.StartsWith(document.BasePath, StringComparison.Ordinal))
        {
            errors.Add($"{path} is outside the API's base path '{document.BasePath}'");
            return new RequestCheck(null, new Dictionary<string, string>(), errors);
        }

        var relative = path[document.BasePath.Length..];
        var lookup = document.Find(method, relative);
        if (lookup.Operation is null)
        {
            errors.Add(lookup.PathExists
                ? $"{method} is not an operation of {lookup.Template} (it has {string.Join(", ", lookup.AllowedMethods)})"
                : $"no path template of the description matches {relative}");
            return new RequestCheck(null, lookup.PathValues, errors);
        }

        var operation = lookup.Operation;
        CheckParameters(operation, lookup.PathValues, query, errors);
        CheckBody(operation, contentType, body, errors);
        return new RequestCheck(operation, lookup.PathValues, errors);
    }

    /// <summary>Checks a response: its status must be documented (or a 4XX/default range) and its JSON body must fit.</summary>
    public IReadOnlyList<string> CheckResponse(OpenApiOperation operation, int status, string? contentType, ReadOnlyMemory<byte> body)
    {
        var errors = new List<string>();
        if (operation.Response(status) is not { } response)
        {
            if (status >= 400 && GenericErrorSchema is not null && body.Length > 0)
            {
                Check(document.ResolveReference(GenericErrorSchema), body, $"undocumented error {status} body", errors);
            }
            else
            {
                errors.Add($"status {status} is not documented for {operation}");
            }

            return errors;
        }

        var hasContent = response.TryGetProperty("content", out var content) && content.EnumerateObject().Any();
        if (!hasContent)
        {
            if (body.Length > 0)
            {
                errors.Add($"status {status} of {operation} has no content, but the response has a body");
            }

            return errors;
        }

        if (body.Length == 0)
        {
            errors.Add($"status {status} of {operation} has content, but the response body is empty");
            return errors;
        }

        if (FindMedia(content, contentType) is not { } schema)
        {
            errors.Add($"content type '{contentType}' is not documented for status {status} of {operation}");
            return errors;
        }

        Check(schema, body, "response body", errors);
        return errors;
    }

    /// <summary>Checks one JSON value against a schema; returns the violations, each with a JSON path.</summary>
    public IReadOnlyList<string> CheckValue(JsonElement schema, JsonElement value, string at = "$")
    {
        var errors = new List<string>();
        Validate(schema, value, at, errors, 0);
        return errors;
    }

    private static bool IsJson(string mediaType) =>
        mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
        || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);

    private static string MediaType(string? contentType) =>
        (contentType ?? string.Empty).Split(';')[0].Trim();

    private static JsonElement? FindMedia(JsonElement content, string? contentType)
    {
        var wanted = MediaType(contentType);
        foreach (var media in content.EnumerateObject())
        {
            if (string.Equals(media.Name, wanted, StringComparison.OrdinalIgnoreCase) || (IsJson(wanted) && IsJson(media.Name)))
            {
                return media.Value.TryGetProperty("schema", out var schema) ? schema : default(JsonElement);
            }
        }

        return null;
    }

    private void Check(JsonElement schema, ReadOnlyMemory<byte> json, string what, List<string> errors)
    {
        JsonDocument parsed;
        try
        {
            parsed = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            errors.Add($"{what} is not JSON: {e.Message}");
            return;
        }

        using (parsed)
        {
            if (schema.ValueKind != JsonValueKind.Undefined)
            {
                Validate(schema, parsed.RootElement, "$", errors, 0);
            }
        }

        for (var i = 0; i < errors.Count; i++)
        {
            if (errors[i].StartsWith('$'))
            {
                errors[i] = $"{what} {errors[i]}";
            }
        }
    }

    private void CheckParameters(
        OpenApiOperation operation,
        IReadOnlyDictionary<string, string> pathValues,
        IReadOnlyList<KeyValuePair<string, string>> query,
        List<string> errors)
    {
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var parameter in operation.Parameters)
        {
            var name = parameter.GetProperty("name").GetString()!;
            var location = parameter.GetProperty("in").GetString();
            var schema = parameter.TryGetProperty("schema", out var s) ? s : default;
            var required = parameter.TryGetProperty("required", out var r) && r.ValueKind == JsonValueKind.True;
            switch (location)
            {
                case "path":
                    if (pathValues.TryGetValue(name, out var value))
                    {
                        CheckParameter(schema, [value], $"path parameter '{name}'", errors);
                    }

                    break;
                case "query":
                    known.Add(name);
                    var values = query.Where(q => q.Key == name).Select(q => q.Value).ToList();
                    if (values.Count == 0)
                    {
                        if (required)
                        {
                            errors.Add($"query parameter '{name}' is required");
                        }
                    }
                    else
                    {
                        foreach (var checkable in RangeBounds(schema, values) is { } bounds ? bounds.Select(b => new List<string> { b }) : [values])
                        {
                            CheckParameter(schema, checkable, $"query parameter '{name}'", errors);
                        }
                    }

                    break;
                default:
                    // Header and cookie parameters are not checked: clients add many headers the descriptions omit.
                    break;
            }
        }

        foreach (var unknown in query.Select(q => q.Key).Distinct(StringComparer.Ordinal).Where(k => !known.Contains(k)))
        {
            errors.Add($"query parameter '{unknown}' is not a parameter of {operation}");
        }
    }

    /// <summary>GitHub's search syntax for date-time query parameters: "&gt;=x", "&lt;=x", "&gt;x", "&lt;x", "x..y" (a bound may be "*").</summary>
    private List<string>? RangeBounds(JsonElement schema, List<string> values)
    {
        var resolved = document.Resolve(schema);
        if (values.Count != 1 || !resolved.TryGetProperty("format", out var format) || format.GetString() != "date-time")
        {
            return null;
        }

        var text = values[0];
        var prefix = new[] { ">=", "<=", ">", "<" }.FirstOrDefault(p => text.StartsWith(p, StringComparison.Ordinal));
        if (prefix is not null)
        {
            return [DateOrDateTime(text[prefix.Length..])];
        }

        var range = text.Split("..");
        return range.Length == 2 ? [.. range.Where(b => b != "*").Select(DateOrDateTime)] : null;
    }

    /// <summary>The search syntax takes dates too; a date stands for its midnight UTC.</summary>
    private static string DateOrDateTime(string bound) =>
        DateOnly.TryParseExact(bound, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _) ? bound + "T00:00:00Z" : bound;

    private void CheckParameter(JsonElement schema, List<string> raw, string what, List<string> errors)
    {
        if (schema.ValueKind == JsonValueKind.Undefined)
        {
            return;
        }

        var resolved = document.Resolve(schema);
        string json;
        if (AllowedTypes(resolved).Contains("array"))
        {
            var items = resolved.TryGetProperty("items", out var i) ? document.Resolve(i) : default;
            var parts = raw.Count == 1 ? raw[0].Split(',') : raw.ToArray();
            json = "[" + string.Join(",", parts.Select(p => Coerce(items, p))) + "]";
        }
        else
        {
            if (raw.Count > 1)
            {
                errors.Add($"{what} is given {raw.Count} times");
            }

            json = Coerce(resolved, raw[0]);
        }

        using var value = JsonDocument.Parse(json);
        foreach (var error in CheckValue(schema, value.RootElement, "$"))
        {
            errors.Add($"{what} ('{string.Join(",", raw)}'): {error}");
        }
    }

    /// <summary>Turns a parameter's text into the JSON value its schema expects, when the text allows it.</summary>
    private string Coerce(JsonElement schema, string text)
    {
        var types = schema.ValueKind == JsonValueKind.Undefined ? [] : AllowedTypes(schema);
        if ((types.Contains("integer") || types.Contains("number"))
            && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
            && !text.Contains('_', StringComparison.Ordinal))
        {
            return text;
        }

        if (types.Contains("boolean") && text is "true" or "false")
        {
            return text;
        }

        return JsonSerializer.Serialize(text);
    }

    /// <summary>The JSON types a schema admits, looking through $ref and the branches of oneOf/anyOf/allOf.</summary>
    private HashSet<string> AllowedTypes(JsonElement schema, int depth = 0)
    {
        var types = new HashSet<string>(StringComparer.Ordinal);
        schema = document.Resolve(schema);
        if (schema.ValueKind != JsonValueKind.Object || depth > 16)
        {
            return types;
        }

        if (schema.TryGetProperty("type", out var type))
        {
            if (type.ValueKind == JsonValueKind.String)
            {
                types.Add(type.GetString()!);
            }
            else if (type.ValueKind == JsonValueKind.Array)
            {
                types.UnionWith(type.EnumerateArray().Select(t => t.GetString()!));
            }
        }

        foreach (var keyword in new[] { "oneOf", "anyOf", "allOf" })
        {
            if (schema.TryGetProperty(keyword, out var branches))
            {
                foreach (var branch in branches.EnumerateArray())
                {
                    types.UnionWith(AllowedTypes(branch, depth + 1));
                }
            }
        }

        return types;
    }

    private void CheckBody(OpenApiOperation operation, string? contentType, ReadOnlyMemory<byte> body, List<string> errors)
    {
        var hasBody = body.Length > 0;
        if (!operation.Element.TryGetProperty("requestBody", out var raw))
        {
            if (hasBody)
            {
                errors.Add($"{operation} takes no request body, but one was sent");
            }

            return;
        }

        var requestBody = document.Resolve(raw);
        if (!hasBody)
        {
            if (requestBody.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.True)
            {
                errors.Add($"{operation} requires a request body");
            }

            return;
        }

        if (!requestBody.TryGetProperty("content", out var content) || FindMedia(content, contentType) is not { } schema)
        {
            errors.Add($"content type '{contentType}' is not accepted by {operation}");
            return;
        }

        if (!IsJson(MediaType(contentType)))
        {
            errors.Add($"the fakes check JSON bodies only; '{contentType}' was sent to {operation}");
            return;
        }

        Check(schema, body, "request body", errors);
    }

    private void Validate(JsonElement schema, JsonElement value, string at, List<string> errors, int depth)
    {
        switch (schema.ValueKind)
        {
            case JsonValueKind.True or JsonValueKind.Undefined:
                return;
            case JsonValueKind.False:
                errors.Add($"{at}: no value is allowed here");
                return;
            case JsonValueKind.Object:
                break;
            default:
                return;
        }

        if (depth > MaxDepth)
        {
            errors.Add($"{at}: schema nesting deeper than {MaxDepth} (a $ref cycle that consumes no data?)");
            return;
        }

        // OpenAPI 3.0: nullable: true admits null whatever the rest of the schema says.
        if (value.ValueKind == JsonValueKind.Null && document.IsOpenApi30
            && schema.TryGetProperty("nullable", out var nullable) && nullable.ValueKind == JsonValueKind.True)
        {
            return;
        }

        if (schema.TryGetProperty("$ref", out var reference) && reference.ValueKind == JsonValueKind.String)
        {
            Validate(document.ResolveReference(reference.GetString()!), value, at, errors, depth + 1);
            if (document.IsOpenApi30)
            {
                return; // 3.0 ignores a $ref's siblings
            }
        }

        if (schema.TryGetProperty("type", out var type) && !TypeMatches(type, value))
        {
            errors.Add($"{at}: expected {Describe(type)} but found {Kind(value)}");
            return;
        }

        if (schema.TryGetProperty("enum", out var choices) && !choices.EnumerateArray().Any(c => JsonElement.DeepEquals(c, value)))
        {
            errors.Add($"{at}: {Short(value)} is not one of {Short(choices)}");
        }

        if (schema.TryGetProperty("const", out var constant) && !JsonElement.DeepEquals(constant, value))
        {
            errors.Add($"{at}: {Short(value)} is not {Short(constant)}");
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                ValidateString(schema, value.GetString()!, at, errors);
                break;
            case JsonValueKind.Number:
                ValidateNumber(schema, value.GetDouble(), at, errors);
                break;
            case JsonValueKind.Array:
                ValidateArray(schema, value, at, errors, depth);
                break;
            case JsonValueKind.Object:
                ValidateObject(schema, value, at, errors, depth);
                break;
            default:
                break;
        }

        ValidateCombinators(schema, value, at, errors, depth);
    }

    private void ValidateCombinators(JsonElement schema, JsonElement value, string at, List<string> errors, int depth)
    {
        if (schema.TryGetProperty("allOf", out var allOf))
        {
            foreach (var branch in allOf.EnumerateArray())
            {
                Validate(branch, value, at, errors, depth + 1);
            }
        }

        if (schema.TryGetProperty("anyOf", out var anyOf))
        {
            var results = Branches(anyOf, value, at, depth);
            if (!results.Any(r => r.Count == 0))
            {
                errors.Add($"{at}: matches none of anyOf's {results.Count} schemas; closest: {Closest(results)}");
            }
        }

        if (schema.TryGetProperty("oneOf", out var oneOf))
        {
            var results = Branches(oneOf, value, at, depth);
            var matching = results.Select((r, i) => (r, i)).Where(x => x.r.Count == 0).Select(x => x.i).ToList();
            if (matching.Count == 0)
            {
                errors.Add($"{at}: matches none of oneOf's {results.Count} schemas; closest: {Closest(results)}");
            }
            else if (matching.Count > 1)
            {
                errors.Add($"{at}: matches {matching.Count} of oneOf's schemas (#{string.Join(", #", matching)}), not exactly one");
            }
        }

        if (schema.TryGetProperty("not", out var not))
        {
            var inner = new List<string>();
            Validate(not, value, at, inner, depth + 1);
            if (inner.Count == 0)
            {
                errors.Add($"{at}: matches a schema it must not match");
            }
        }
    }

    private List<List<string>> Branches(JsonElement branches, JsonElement value, string at, int depth) =>
        branches.EnumerateArray().Select(branch =>
        {
            var inner = new List<string>();
            Validate(branch, value, at, inner, depth + 1);
            return inner;
        }).ToList();

    private static string Closest(List<List<string>> results) =>
        string.Join("; ", results.OrderBy(r => r.Count).First().Take(3));

    private static void ValidateString(JsonElement schema, string text, string at, List<string> errors)
    {
        var length = text.EnumerateRunes().Count();
        if (schema.TryGetProperty("minLength", out var min) && length < min.GetInt32())
        {
            errors.Add($"{at}: length {length} is below minLength {min.GetInt32()}");
        }

        if (schema.TryGetProperty("maxLength", out var max) && length > max.GetInt32())
        {
            errors.Add($"{at}: length {length} is above maxLength {max.GetInt32()}");
        }

        if (schema.TryGetProperty("pattern", out var pattern))
        {
            var regex = Patterns.GetOrAdd(pattern.GetString()!, p => new Regex(p, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)));
            if (!regex.IsMatch(text))
            {
                errors.Add($"{at}: '{Truncate(text)}' does not match pattern {pattern.GetString()}");
            }
        }

        if (schema.TryGetProperty("format", out var format) && !FormatMatches(format.GetString(), text))
        {
            errors.Add($"{at}: '{Truncate(text)}' is not a valid {format.GetString()}");
        }
    }

    private static bool FormatMatches(string? format, string text) => format switch
    {
        "date-time" => Regex.IsMatch(text, @"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})$", RegexOptions.None, TimeSpan.FromSeconds(1))
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        "date" => DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        "uri" => Uri.TryCreate(text, UriKind.Absolute, out _),
        "email" => text.Contains('@', StringComparison.Ordinal),
        "uuid" => Guid.TryParse(text, out _),
        _ => true,
    };

    private static void ValidateNumber(JsonElement schema, double number, string at, List<string> errors)
    {
        var exclusiveMin30 = schema.TryGetProperty("exclusiveMinimum", out var exMin) && exMin.ValueKind == JsonValueKind.True;
        var exclusiveMax30 = schema.TryGetProperty("exclusiveMaximum", out var exMax) && exMax.ValueKind == JsonValueKind.True;
        if (schema.TryGetProperty("minimum", out var min) && (number < min.GetDouble() || (exclusiveMin30 && number == min.GetDouble())))
        {
            errors.Add($"{at}: {number.ToString(CultureInfo.InvariantCulture)} is below the minimum {min.GetRawText()}");
        }

        if (schema.TryGetProperty("maximum", out var max) && (number > max.GetDouble() || (exclusiveMax30 && number == max.GetDouble())))
        {
            errors.Add($"{at}: {number.ToString(CultureInfo.InvariantCulture)} is above the maximum {max.GetRawText()}");
        }

        if (exMin.ValueKind == JsonValueKind.Number && number <= exMin.GetDouble())
        {
            errors.Add($"{at}: {number.ToString(CultureInfo.InvariantCulture)} is not above {exMin.GetRawText()}");
        }

        if (exMax.ValueKind == JsonValueKind.Number && number >= exMax.GetDouble())
        {
            errors.Add($"{at}: {number.ToString(CultureInfo.InvariantCulture)} is not below {exMax.GetRawText()}");
        }

        if (schema.TryGetProperty("multipleOf", out var multiple) && Math.Abs(Math.IEEERemainder(number, multiple.GetDouble())) > 1e-9)
        {
            errors.Add($"{at}: {number.ToString(CultureInfo.InvariantCulture)} is not a multiple of {multiple.GetRawText()}");
        }
    }

    private void ValidateArray(JsonElement schema, JsonElement array, string at, List<string> errors, int depth)
    {
        var count = array.GetArrayLength();
        if (schema.TryGetProperty("minItems", out var min) && count < min.GetInt32())
        {
            errors.Add($"{at}: {count} items, fewer than minItems {min.GetInt32()}");
        }

        if (schema.TryGetProperty("maxItems", out var max) && count > max.GetInt32())
        {
            errors.Add($"{at}: {count} items, more than maxItems {max.GetInt32()}");
        }

        if (schema.TryGetProperty("uniqueItems", out var unique) && unique.ValueKind == JsonValueKind.True)
        {
            var items = array.EnumerateArray().ToList();
            for (var i = 0; i < items.Count; i++)
            {
                for (var j = i + 1; j < items.Count; j++)
                {
                    if (JsonElement.DeepEquals(items[i], items[j]))
                    {
                        errors.Add($"{at}: items {i} and {j} are equal but uniqueItems is set");
                    }
                }
            }
        }

        if (schema.TryGetProperty("items", out var itemSchema))
        {
            var index = 0;
            foreach (var item in array.EnumerateArray())
            {
                Validate(itemSchema, item, $"{at}[{index++}]", errors, depth + 1);
            }
        }
    }

    private void ValidateObject(JsonElement schema, JsonElement obj, string at, List<string> errors, int depth)
    {
        var count = 0;
        var properties = schema.TryGetProperty("properties", out var p) ? p : default;
        var patternProperties = schema.TryGetProperty("patternProperties", out var pp) ? pp : default;
        var additional = schema.TryGetProperty("additionalProperties", out var ap) ? ap : default;
        foreach (var property in obj.EnumerateObject())
        {
            count++;
            var where = $"{at}.{property.Name}";
            var known = false;
            if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(property.Name, out var propertySchema))
            {
                known = true;
                Validate(propertySchema, property.Value, where, errors, depth + 1);
            }

            if (patternProperties.ValueKind == JsonValueKind.Object)
            {
                foreach (var candidate in patternProperties.EnumerateObject())
                {
                    if (Patterns.GetOrAdd(candidate.Name, n => new Regex(n, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1))).IsMatch(property.Name))
                    {
                        known = true;
                        Validate(candidate.Value, property.Value, where, errors, depth + 1);
                    }
                }
            }

            if (!known && additional.ValueKind is JsonValueKind.False)
            {
                errors.Add($"{at}: property '{property.Name}' is not allowed (additionalProperties: false)");
            }
            else if (!known && additional.ValueKind == JsonValueKind.Object)
            {
                Validate(additional, property.Value, where, errors, depth + 1);
            }
        }

        if (schema.TryGetProperty("required", out var required))
        {
            foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
            {
                if (!obj.TryGetProperty(name, out _))
                {
                    errors.Add($"{at}: required property '{name}' is missing");
                }
            }
        }

        if (schema.TryGetProperty("minProperties", out var min) && count < min.GetInt32())
        {
            errors.Add($"{at}: {count} properties, fewer than minProperties {min.GetInt32()}");
        }

        if (schema.TryGetProperty("maxProperties", out var max) && count > max.GetInt32())
        {
            errors.Add($"{at}: {count} properties, more than maxProperties {max.GetInt32()}");
        }
    }

    private static bool TypeMatches(JsonElement type, JsonElement value) => type.ValueKind switch
    {
        JsonValueKind.String => TypeMatches(type.GetString()!, value),
        JsonValueKind.Array => type.EnumerateArray().Any(t => TypeMatches(t.GetString()!, value)),
        _ => true,
    };

    private static bool TypeMatches(string type, JsonElement value) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && IsIntegral(value),
        _ => false,
    };

    private static bool IsIntegral(JsonElement number) =>
        number.TryGetDecimal(out var d) ? decimal.Truncate(d) == d : Math.Floor(number.GetDouble()) == number.GetDouble();

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => IsIntegral(value) ? "integer " + value.GetRawText() : "number " + value.GetRawText(),
        JsonValueKind.String => $"string '{Truncate(value.GetString()!)}'",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => value.ValueKind.ToString().ToLowerInvariant(),
    };

    private static string Describe(JsonElement type) =>
        type.ValueKind == JsonValueKind.Array ? string.Join(" or ", type.EnumerateArray().Select(t => t.GetString())) : type.GetString() ?? "?";

    private static string Short(JsonElement value) => Truncate(value.GetRawText());

    private static string Truncate(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 77), "...");

    /// <summary>Reads a body as UTF-8 text for messages (bodies are small in tests).</summary>
    internal static string Text(ReadOnlyMemory<byte> body) => Encoding.UTF8.GetString(body.Span);
}
