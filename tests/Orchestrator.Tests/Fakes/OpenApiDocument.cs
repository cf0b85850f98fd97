using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Orchestrator.Tests.Fakes;

/// <summary>
/// An OpenAPI description (3.0 or 3.1) loaded once per file for the whole test run: GitHub's is 13 MB, so
/// every fake and test shares one parsed copy. Finds the operation for a request path and resolves
/// <c>$ref</c> pointers inside the document.
/// </summary>
public sealed class OpenApiDocument
{
    private static readonly ConcurrentDictionary<string, Lazy<OpenApiDocument>> Loaded = new(StringComparer.Ordinal);

    private static readonly string[] Methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

    private readonly ConcurrentDictionary<string, JsonElement> _refs = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<OpenApiOperation> _operations;

    private OpenApiDocument(string path, JsonDocument json)
    {
        FilePath = path;
        Root = json.RootElement;
        Version = Root.GetProperty("openapi").GetString() ?? throw new InvalidDataException(path + " has no openapi version");
        BasePath = ReadBasePath(Root);
        var operations = new List<OpenApiOperation>();
        foreach (var pathItem in Root.GetProperty("paths").EnumerateObject())
        {
            var template = PathTemplate.Parse(pathItem.Name);
            var item = Resolve(pathItem.Value);
            var shared = item.TryGetProperty("parameters", out var p) ? p : default;
            foreach (var method in Methods)
            {
                if (item.TryGetProperty(method, out var operation))
                {
                    operations.Add(new OpenApiOperation(this, method.ToUpperInvariant(), template, operation, shared));
                }
            }
        }

        _operations = operations;
    }

    public string FilePath { get; }

    public JsonElement Root { get; }

    /// <summary>The <c>openapi</c> field, e.g. "3.0.3" (GitHub) or "3.1.0" (Discord).</summary>
    public string Version { get; }

    /// <summary>OpenAPI 3.0 marks nullable schemas with <c>nullable: true</c>; 3.1 uses JSON Schema's type arrays.</summary>
    public bool IsOpenApi30 => Version.StartsWith("3.0", StringComparison.Ordinal);

    /// <summary>The path of the first server URL ("/api/v10" for Discord, "" for GitHub).</summary>
    public string BasePath { get; }

    public IReadOnlyList<OpenApiOperation> Operations => _operations;

    public static OpenApiDocument Load(string path)
    {
        var full = Path.GetFullPath(path);
        return Loaded.GetOrAdd(full, p => new Lazy<OpenApiDocument>(() => Parse(p))).Value;
    }

    public static OpenApiDocument GitHub() => Load(Infrastructure.TestTools.GitHubOpenApi);

    public static OpenApiDocument Discord() => Load(Infrastructure.TestTools.DiscordOpenApi);

    /// <summary>
    /// The operation for a method and a path relative to <see cref="BasePath"/>. When several templates match,
    /// the one with a literal segment where the other has a parameter wins (so "/messages/@original" beats
    /// "/messages/{message_id}").
    /// </summary>
    public OperationLookup Find(string method, string relativePath)
    {
        var segments = SplitPath(relativePath);
        var byTemplate = new List<(OpenApiOperation Operation, IReadOnlyDictionary<string, string> Values)>();
        foreach (var operation in _operations)
        {
            if (operation.Template.TryMatch(segments, out var values))
            {
                byTemplate.Add((operation, values));
            }
        }

        if (byTemplate.Count == 0)
        {
            return new OperationLookup(null, new Dictionary<string, string>(), []);
        }

        var best = byTemplate.Select(m => m.Operation.Template).Distinct().Aggregate((a, b) => a.CompareSpecificity(b) >= 0 ? a : b);
        var onBest = byTemplate.Where(m => ReferenceEquals(m.Operation.Template, best)).ToList();
        var hit = onBest.FirstOrDefault(m => string.Equals(m.Operation.Method, method, StringComparison.OrdinalIgnoreCase));
        var allowed = onBest.Select(m => m.Operation.Method).ToList();
        return hit.Operation is null
            ? new OperationLookup(null, new Dictionary<string, string>(), allowed) { Template = best.Text }
            : new OperationLookup(hit.Operation, hit.Values, allowed) { Template = best.Text };
    }

    /// <summary>The operation with this method and template, or null.</summary>
    public OpenApiOperation? Operation(string method, string template) =>
        _operations.FirstOrDefault(o => string.Equals(o.Method, method, StringComparison.OrdinalIgnoreCase) && o.Template.Text == template);

    /// <summary>Follows <c>$ref</c> chains ("#/components/...") until an element without one.</summary>
    public JsonElement Resolve(JsonElement element)
    {
        for (var hops = 0; hops < 32; hops++)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty("$ref", out var reference) || reference.ValueKind != JsonValueKind.String)
            {
                return element;
            }

            element = ResolveReference(reference.GetString()!);
        }

        throw new InvalidDataException("$ref chain too long in " + FilePath);
    }

    public JsonElement ResolveReference(string reference) => _refs.GetOrAdd(reference, r =>
    {
        if (!r.StartsWith("#/", StringComparison.Ordinal))
        {
            throw new NotSupportedException($"Only local references are supported, not '{r}'");
        }

        var current = Root;
        foreach (var raw in r[2..].Split('/'))
        {
            var token = Uri.UnescapeDataString(raw).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            current = current.ValueKind switch
            {
                JsonValueKind.Object when current.TryGetProperty(token, out var next) => next,
                JsonValueKind.Array when int.TryParse(token, System.Globalization.CultureInfo.InvariantCulture, out var i) && i < current.GetArrayLength() => current[i],
                _ => throw new InvalidDataException($"Unresolvable $ref '{r}' in {FilePath}"),
            };
        }

        return current;
    });

    internal static string[] SplitPath(string path) =>
        path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();

    private static OpenApiDocument Parse(string path)
    {
        using var stream = File.OpenRead(path);
        var json = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 256 });
        return new OpenApiDocument(path, json);
    }

    private static string ReadBasePath(JsonElement root)
    {
        if (root.TryGetProperty("servers", out var servers) && servers.GetArrayLength() > 0
            && Uri.TryCreate(servers[0].GetProperty("url").GetString(), UriKind.Absolute, out var url))
        {
            return url.AbsolutePath.TrimEnd('/');
        }

        return string.Empty;
    }
}

/// <summary>The result of looking a request up: the operation (null when none), its path values, the methods the path allows.</summary>
public sealed record OperationLookup(OpenApiOperation? Operation, IReadOnlyDictionary<string, string> PathValues, IReadOnlyList<string> AllowedMethods)
{
    /// <summary>The matched template, when the path matched one.</summary>
    public string? Template { get; init; }

    public bool PathExists => AllowedMethods.Count > 0;
}

/// <summary>One operation (method + path template) of a description, with its path-level and own parameters merged.</summary>
public sealed class OpenApiOperation
{
    internal OpenApiOperation(OpenApiDocument document, string method, PathTemplate template, JsonElement element, JsonElement sharedParameters)
    {
        Document = document;
        Method = method;
        Template = template;
        Element = element;
        OperationId = element.TryGetProperty("operationId", out var id) ? id.GetString() ?? string.Empty : string.Empty;
        var parameters = new Dictionary<(string, string), JsonElement>();
        foreach (var source in new[] { sharedParameters, element.TryGetProperty("parameters", out var own) ? own : default })
        {
            if (source.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            foreach (var raw in source.EnumerateArray())
            {
                var parameter = document.Resolve(raw);
                parameters[(parameter.GetProperty("name").GetString()!, parameter.GetProperty("in").GetString()!)] = parameter;
            }
        }

        Parameters = parameters.Values.ToList();
    }

    public OpenApiDocument Document { get; }

    public string Method { get; }

    internal PathTemplate Template { get; }

    public string PathTemplateText => Template.Text;

    public JsonElement Element { get; }

    public string OperationId { get; }

    public IReadOnlyList<JsonElement> Parameters { get; }

    /// <summary>The response object for a status: the exact code, then its range ("4XX"), then "default".</summary>
    public JsonElement? Response(int status)
    {
        if (!Element.TryGetProperty("responses", out var responses))
        {
            return null;
        }

        var code = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var key in new[] { code, code[0] + "XX", code[0] + "xx", "default" })
        {
            if (responses.TryGetProperty(key, out var response))
            {
                return Document.Resolve(response);
            }
        }

        return null;
    }

    /// <summary>The first example of a response's JSON content (inline or from components/examples), or null.</summary>
    public JsonElement? Example(int status, string? name = null)
    {
        if (Response(status) is not { } response || !response.TryGetProperty("content", out var content)
            || !content.TryGetProperty("application/json", out var media))
        {
            return null;
        }

        if (media.TryGetProperty("example", out var example))
        {
            return example;
        }

        if (!media.TryGetProperty("examples", out var examples))
        {
            return null;
        }

        foreach (var entry in examples.EnumerateObject())
        {
            if (name is null || entry.Name == name)
            {
                var resolved = Document.Resolve(entry.Value);
                if (resolved.TryGetProperty("value", out var value))
                {
                    return value;
                }
            }
        }

        return null;
    }

    public override string ToString() => $"{Method} {Template.Text} ({OperationId})";
}

/// <summary>A path template such as "/repos/{owner}/{repo}/issues" split into literal and parameter segments.</summary>
internal sealed class PathTemplate
{
    private readonly Segment[] _segments;

    private PathTemplate(string text, Segment[] segments)
    {
        Text = text;
        _segments = segments;
    }

    public string Text { get; }

    public static PathTemplate Parse(string text)
    {
        var segments = text.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(s =>
        {
            if (!s.Contains('{', StringComparison.Ordinal))
            {
                return new Segment(s, null, []);
            }

            var names = new List<string>();
            var pattern = "^" + Regex.Replace(Regex.Escape(s).Replace("\\{", "{", StringComparison.Ordinal), "{([^}]+)}", m =>
            {
                names.Add(m.Groups[1].Value);
                return "(.+?)";
            }) + "$";
            return new Segment(null, new Regex(pattern, RegexOptions.CultureInvariant), names);
        }).ToArray();
        return new PathTemplate(text, segments);
    }

    public bool TryMatch(string[] segments, out IReadOnlyDictionary<string, string> values)
    {
        values = new Dictionary<string, string>();
        if (segments.Length != _segments.Length)
        {
            return false;
        }

        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = _segments[i];
            if (segment.Literal is not null)
            {
                if (!string.Equals(segment.Literal, segments[i], StringComparison.Ordinal))
                {
                    return false;
                }

                continue;
            }

            var match = segment.Pattern!.Match(segments[i]);
            if (!match.Success)
            {
                return false;
            }

            for (var g = 0; g < segment.Names.Count; g++)
            {
                found[segment.Names[g]] = match.Groups[g + 1].Value;
            }
        }

        values = found;
        return true;
    }

    /// <summary>Positive when this template is more specific: the first segment where they differ is literal here.</summary>
    public int CompareSpecificity(PathTemplate other)
    {
        for (var i = 0; i < Math.Min(_segments.Length, other._segments.Length); i++)
        {
            var mine = _segments[i].Literal is not null;
            var theirs = other._segments[i].Literal is not null;
            if (mine != theirs)
            {
                return mine ? 1 : -1;
            }
        }

        return 0;
    }

    private sealed record Segment(string? Literal, Regex? Pattern, IReadOnlyList<string> Names);
}
