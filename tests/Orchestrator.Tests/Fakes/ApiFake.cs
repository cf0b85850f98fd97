using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Orchestrator.Tests.Fakes;

/// <summary>One request as the fake received it. The Authorization header is kept out; only its scheme is recorded.</summary>
public sealed record RecordedRequest(
    string Method,
    string Path,
    string Query,
    string? Body,
    IReadOnlyDictionary<string, string> Headers,
    string? AuthorizationScheme,
    string? OperationId,
    int Status,
    DateTimeOffset At);

/// <summary>A request that passed validation, as handlers see it.</summary>
public sealed class FakeRequest
{
    internal FakeRequest(
        OpenApiOperation operation,
        string method,
        string path,
        IReadOnlyDictionary<string, string> pathValues,
        IReadOnlyList<KeyValuePair<string, string>> query,
        IReadOnlyDictionary<string, string> headers,
        JsonNode? body,
        Uri origin)
    {
        Operation = operation;
        Method = method;
        Path = path;
        PathValues = pathValues;
        QueryPairs = query;
        Headers = headers;
        Body = body;
        Origin = origin;
    }

    public OpenApiOperation Operation { get; }

    public string Method { get; }

    public string Path { get; }

    public IReadOnlyDictionary<string, string> PathValues { get; }

    public IReadOnlyList<KeyValuePair<string, string>> QueryPairs { get; }

    public IReadOnlyDictionary<string, string> Headers { get; }

    public JsonNode? Body { get; }

    /// <summary>Scheme, host and port the client used, for absolute URLs in Link headers and bodies.</summary>
    public Uri Origin { get; }

    public string Value(string name) => PathValues[name];

    public string? Query(string name) => QueryPairs.FirstOrDefault(q => q.Key == name).Value;

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>What a handler answers.</summary>
public sealed class FakeResponse(int status, JsonNode? body = null)
{
    public int Status { get; } = status;

    public JsonNode? Body { get; } = body;

    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>False for a 2xx that changed nothing (e.g. Discord returning the message an enforced nonce already created).</summary>
    public bool IsEffect { get; init; } = true;

    public FakeResponse With(string header, string value)
    {
        Headers[header] = value;
        return this;
    }
}

/// <summary>Raised at the end of a test when a fake saw requests or sent responses that do not fit the description.</summary>
public sealed class OpenApiViolationException(string message) : Exception(message);

/// <summary>
/// A real HTTP server on 127.0.0.1 (Kestrel, port 0) whose every request is checked against the owner's OpenAPI
/// description before a handler sees it. A request that does not fit is answered 400 and recorded as a
/// violation; every handler's answer is checked against the response schema of its status too. Violations
/// throw from <see cref="AssertNoViolations"/> and from <see cref="DisposeAsync"/>, so a test that forgets to
/// look still fails.
/// </summary>
public abstract class ApiFake : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly List<string> _violations = [];
    private readonly List<Fault> _faults = [];
    private readonly Dictionary<string, Func<FakeRequest, FakeResponse>> _handlers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _effects = new(StringComparer.Ordinal);
    private WebApplication? _app;

    protected ApiFake(OpenApiDocument document, TimeProvider time, string? genericErrorSchema = null)
    {
        Document = document;
        Validator = new OpenApiValidator(document) { GenericErrorSchema = genericErrorSchema };
        Time = time;
    }

    public OpenApiDocument Document { get; }

    public OpenApiValidator Validator { get; }

    public TimeProvider Time { get; }

    /// <summary>The API's base address with a trailing slash, e.g. http://127.0.0.1:5123/ or http://127.0.0.1:5123/api/v10/.</summary>
    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return _requests.ToList();
            }
        }
    }

    public IReadOnlyList<string> Violations
    {
        get
        {
            lock (_gate)
            {
                return _violations.ToList();
            }
        }
    }

    /// <summary>Requests sent to one operation (by operationId, e.g. "issues/list-for-repo" or "create_message").</summary>
    public IReadOnlyList<RecordedRequest> RequestsTo(string operationId) =>
        Requests.Where(r => r.OperationId == operationId).ToList();

    /// <summary>How many times an operation changed the world (2xx answers to anything but GET/HEAD).</summary>
    public int EffectCount(string operationId)
    {
        lock (_gate)
        {
            return _effects.GetValueOrDefault(operationId);
        }
    }

    /// <summary>Returns the violations seen so far and forgets them (for tests that send invalid requests on purpose).</summary>
    public IReadOnlyList<string> TakeViolations()
    {
        lock (_gate)
        {
            var taken = _violations.ToList();
            _violations.Clear();
            return taken;
        }
    }

    public void AssertNoViolations()
    {
        var violations = Violations;
        if (violations.Count > 0)
        {
            throw new OpenApiViolationException(
                $"{GetType().Name} saw {violations.Count} violation(s) of {Path.GetFileName(Document.FilePath)}:{Environment.NewLine}"
                + string.Join(Environment.NewLine, violations));
        }
    }

    /// <summary>
    /// Answers the next <paramref name="count"/> requests that match with <paramref name="status"/> instead of
    /// handling them. <paramref name="pathPattern"/> is a path relative to the base path in which "{name}"
    /// matches one segment and "*" anything, e.g. "/repos/{owner}/{repo}/issues".
    /// </summary>
    public void FailNext(
        HttpMethod method,
        string pathPattern,
        HttpStatusCode status,
        IReadOnlyDictionary<string, string>? headers = null,
        int count = 1,
        JsonNode? body = null) =>
        AddFault(method, pathPattern, status, headers, count, body, afterHandling: false);

    /// <summary>
    /// Like <see cref="FailNext"/>, but the fake first handles each matching request as usual (the effect
    /// happens and counts in <see cref="EffectCount"/>) and then answers <paramref name="status"/> instead of
    /// its real answer: the server did the work but the client cannot know, as when a proxy answers 502 after
    /// GitHub created the comment.
    /// </summary>
    public void FailNextAfterHandling(
        HttpMethod method,
        string pathPattern,
        HttpStatusCode status,
        IReadOnlyDictionary<string, string>? headers = null,
        int count = 1,
        JsonNode? body = null) =>
        AddFault(method, pathPattern, status, headers, count, body, afterHandling: true);

    private void AddFault(HttpMethod method, string pathPattern, HttpStatusCode status, IReadOnlyDictionary<string, string>? headers, int count, JsonNode? body, bool afterHandling)
    {
        var regex = "^" + Regex.Replace(Regex.Escape(pathPattern).Replace("\\{", "{", StringComparison.Ordinal).Replace("\\*", "*", StringComparison.Ordinal), "{[^}]+}|\\*", m => m.Value == "*" ? ".*" : "[^/]+") + "$";
        lock (_gate)
        {
            _faults.Add(new Fault(method.Method, new Regex(regex, RegexOptions.CultureInvariant), (int)status, headers ?? new Dictionary<string, string>(), body ?? FaultBody((int)status), count, afterHandling));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }

        GC.SuppressFinalize(this);
        AssertNoViolations();
    }

    /// <summary>Registers the handler of one operation; the operation must exist in the description.</summary>
    protected void Map(string method, string template, Func<FakeRequest, FakeResponse> handler)
    {
        var operation = Document.Operation(method, template)
            ?? throw new InvalidOperationException($"{method} {template} is not an operation of {Path.GetFileName(Document.FilePath)}");
        _handlers[Key(operation)] = handler;
    }

    /// <summary>Null when the request may go on; otherwise the answer (401) for missing or wrong credentials.</summary>
    protected abstract FakeResponse? Authenticate(FakeRequest request);

    /// <summary>The body of an injected failure when the test gives none.</summary>
    protected abstract JsonNode FaultBody(int status);

    /// <summary>The body of a 400 answer to a request that does not fit the description.</summary>
    protected abstract JsonNode ViolationBody(string message);

    /// <summary>Adds headers every answer carries (rate limits, request ids).</summary>
    protected virtual void Decorate(FakeRequest? request, FakeResponse response)
    {
    }

    /// <summary>GitHub answers 304 to a GET whose If-None-Match carries the current ETag.</summary>
    protected virtual bool SupportsConditionalRequests => false;

    protected async Task StartServerAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddRouting();
        var app = builder.Build();
        app.Run(HandleAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.TrimEnd('/') + Document.BasePath + "/");
        _app = app;
    }

    protected static JsonNode Clone(JsonElement element) => JsonNode.Parse(element.GetRawText())!;

    private static string Key(OpenApiOperation operation) => operation.Method + " " + operation.PathTemplateText;

    private async Task HandleAsync(HttpContext context)
    {
        var http = context.Request;
        using var buffer = new MemoryStream();
        await http.Body.CopyToAsync(buffer, context.RequestAborted);
        var body = buffer.ToArray();
        var query = http.Query.SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string>(q.Key, v ?? string.Empty))).ToList();
        var headers = http.Headers
            .Where(h => !string.Equals(h.Key, "Authorization", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var scheme = http.Headers.Authorization.ToString() is { Length: > 0 } auth ? auth.Split(' ')[0] : null;
        var allHeaders = http.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var path = http.Path.Value ?? "/";

        var check = Validator.CheckRequest(http.Method, path, query, http.ContentType, body);
        FakeResponse response;
        FakeRequest? request = null;
        if (!check.IsValid)
        {
            lock (_gate)
            {
                _violations.AddRange(check.Errors.Select(e => $"request {http.Method} {path}{http.QueryString}: {e}"));
            }

            response = new FakeResponse(400, ViolationBody(string.Join("; ", check.Errors)));
        }
        else
        {
            request = new FakeRequest(
                check.Operation!,
                http.Method,
                path,
                check.PathValues,
                query,
                allHeaders,
                body.Length > 0 ? JsonNode.Parse(body) : null,
                new Uri($"{http.Scheme}://{http.Host}"));
            response = Respond(request, path[Document.BasePath.Length..]);
        }

        Decorate(request, response);
        var bytes = response.Body is null ? [] : Encoding.UTF8.GetBytes(response.Body.ToJsonString());
        lock (_gate)
        {
            _requests.Add(new RecordedRequest(
                http.Method,
                path,
                http.QueryString.Value ?? string.Empty,
                body.Length > 0 ? Encoding.UTF8.GetString(body) : null,
                headers,
                scheme,
                check.Operation?.OperationId,
                response.Status,
                Time.GetUtcNow()));
        }

        context.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers)
        {
            context.Response.Headers[name] = value;
        }

        if (bytes.Length > 0)
        {
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
        }
    }

    private FakeResponse Respond(FakeRequest request, string relativePath)
    {
        lock (_gate)
        {
            var fault = _faults.FirstOrDefault(f => f.Remaining > 0 && f.Method == request.Method && f.Path.IsMatch(relativePath));
            if (fault is null)
            {
                return Handle(request);
            }

            // Injected failures stand for GitHub's or Discord's generic error answers (proxies, rate
            // limiters), which the descriptions do not list for every operation: they are not checked.
            fault.Remaining--;
            if (fault.AfterHandling)
            {
                _ = Handle(request);
            }

            var failed = new FakeResponse(fault.Status, fault.Body.DeepClone());
            foreach (var (name, value) in fault.Headers)
            {
                failed.Headers[name] = value;
            }

            return failed;
        }
    }

    private FakeResponse Handle(FakeRequest request)
    {
        lock (_gate)
        {
            if (Authenticate(request) is { } refused)
            {
                return refused;
            }

            if (!_handlers.TryGetValue(Key(request.Operation), out var handler))
            {
                _violations.Add($"the fake does not implement {request.Operation}; add a handler before using it");
                return new FakeResponse(501, ViolationBody("not implemented by the fake"));
            }

            FakeResponse response;
            try
            {
                response = handler(request);
            }
            catch (Exception e) when (e is InvalidOperationException or NullReferenceException or KeyNotFoundException or FormatException or ArgumentException)
            {
                // A request the fake cannot handle is the fake's gap, not the client's; it still fails the test.
                _violations.Add($"the fake's handler for {request.Operation} failed: {e.GetType().Name}: {e.Message}");
                return new FakeResponse(500, ViolationBody("the fake failed"));
            }

            if (response.IsEffect && response.Status is >= 200 and < 300 && request.Method is not ("GET" or "HEAD"))
            {
                _effects[request.Operation.OperationId] = _effects.GetValueOrDefault(request.Operation.OperationId) + 1;
            }

            var bytes = response.Body is null ? [] : Encoding.UTF8.GetBytes(response.Body.ToJsonString());
            foreach (var error in Validator.CheckResponse(request.Operation, response.Status, response.Body is null ? null : "application/json", bytes))
            {
                _violations.Add($"response {response.Status} to {request.Method} {request.Path}: {error}");
            }

            if (SupportsConditionalRequests && request.Method == "GET" && response.Status == 200)
            {
                var etag = "W/\"" + Convert.ToHexStringLower(SHA256.HashData(bytes)) + "\"";
                response.Headers["ETag"] = etag;
                if (request.Header("If-None-Match") is { } presented && presented.Split(',').Any(t => t.Trim() == etag))
                {
                    // 304 carries no body; GitHub answers it to any conditional GET though few operations list it.
                    var notModified = new FakeResponse(304).With("ETag", etag);
                    foreach (var (name, value) in response.Headers.Where(h => h.Key.Equals("Link", StringComparison.OrdinalIgnoreCase)))
                    {
                        notModified.Headers[name] = value;
                    }

                    return notModified;
                }
            }

            return response;
        }
    }

    internal static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private sealed class Fault(string method, Regex path, int status, IReadOnlyDictionary<string, string> headers, JsonNode body, int remaining, bool afterHandling)
    {
        public string Method { get; } = method;

        public Regex Path { get; } = path;

        public int Status { get; } = status;

        public IReadOnlyDictionary<string, string> Headers { get; } = headers;

        public JsonNode Body { get; } = body;

        public int Remaining { get; set; } = remaining;

        /// <summary>The request is handled (its effect happens) before the failure is answered.</summary>
        public bool AfterHandling { get; } = afterHandling;
    }
}
