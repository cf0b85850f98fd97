using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Fakes;

/// <summary>One scripted answer of the fake: a completion, an error status, or no answer at all.</summary>
public abstract record ScriptedAnswer
{
    /// <summary>A 200 chat completion whose message content is <paramref name="Content"/>.</summary>
    public sealed record Completion(string Content, int PromptTokens = 900, int CompletionTokens = 300) : ScriptedAnswer;

    /// <summary>OpenAI's 429 with its error body and a retry-after header.</summary>
    public sealed record RateLimited(int RetryAfterSeconds) : ScriptedAnswer;

    /// <summary>Holds the request open until the client gives up (its timeout).</summary>
    public sealed record Hang : ScriptedAnswer;
}

/// <summary>
/// An OpenAI-compatible Chat Completions server on 127.0.0.1 (Kestrel, port 0). Every request is checked against
/// OpenAI's OpenAPI description (the project's copy) and against what the planning model must send: the configured
/// model, a bearer key, and <c>response_format</c> of type json_schema with a schema. Every answer it gives is checked
/// against the description too. It answers from a script, in order; violations fail the test at dispose.
/// Unlike <see cref="ApiFake"/> its handlers are asynchronous, so it can hold a request open for a timeout.
/// </summary>
public sealed class OpenAiFake : IAsyncDisposable
{
    public const string Model = "planner-test-model";

    private readonly Lock _gate = new();
    private readonly Queue<ScriptedAnswer> _script = new();
    private readonly List<JsonObject> _requests = [];
    private readonly List<string> _violations = [];
    private readonly OpenApiValidator _validator = new(OpenApiDocument.Load(TestTools.OpenAiOpenApi));
    private readonly string _apiKey;
    private WebApplication? _app;

    private OpenAiFake(string apiKey) => _apiKey = apiKey;

    /// <summary>The API's base address, e.g. http://127.0.0.1:5123/v1/.</summary>
    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    /// <summary>The JSON bodies of the requests received (valid or not).</summary>
    public IReadOnlyList<JsonObject> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    public IReadOnlyList<string> Violations
    {
        get
        {
            lock (_gate)
            {
                return [.. _violations];
            }
        }
    }

    public static async Task<OpenAiFake> StartAsync(string apiKey, CancellationToken cancellationToken)
    {
        var fake = new OpenAiFake(apiKey);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(fake.HandleAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.BaseAddress = new Uri(address.TrimEnd('/') + fake._validator.Document.BasePath + "/");
        fake._app = app;
        return fake;
    }

    public void Answer(params ScriptedAnswer[] answers)
    {
        lock (_gate)
        {
            foreach (var answer in answers)
            {
                _script.Enqueue(answer);
            }
        }
    }

    /// <summary>The system message and the user message (the JSON data of the plan) of a request.</summary>
    public static (string System, JsonObject Data) Messages(JsonObject request)
    {
        var messages = request["messages"]!.AsArray();
        var system = messages.Single(m => (string?)m!["role"] is "system")!["content"]!;
        var user = messages.Single(m => (string?)m!["role"] is "user")!["content"]!;
        return (Text(system), JsonNode.Parse(Text(user))!.AsObject());
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }

        var violations = Violations;
        if (violations.Count > 0)
        {
            throw new OpenApiViolationException($"OpenAiFake saw {violations.Count} violation(s):{Environment.NewLine}{string.Join(Environment.NewLine, violations)}");
        }
    }

    private static string Text(JsonNode content) => content is JsonArray parts
        ? string.Concat(parts.Select(p => (string?)p!["text"]))
        : content.GetValue<string>();

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var body = buffer.ToArray();
        var path = context.Request.Path.Value ?? "/";
        var query = context.Request.Query.SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string>(q.Key, v ?? string.Empty))).ToList();
        var check = _validator.CheckRequest(context.Request.Method, path, query, context.Request.ContentType, body);
        var json = body.Length > 0 ? JsonNode.Parse(body) as JsonObject : null;
        var errors = check.Errors.ToList();
        if (json is not null)
        {
            errors.AddRange(Expectations(json, context.Request.Headers.Authorization.ToString()));
        }

        ScriptedAnswer? answer = null;
        lock (_gate)
        {
            if (json is not null)
            {
                _requests.Add(json);
            }

            _violations.AddRange(errors.Select(e => $"request {context.Request.Method} {path}: {e}"));
            if (errors.Count == 0 && !_script.TryDequeue(out answer))
            {
                _violations.Add("a request came with no scripted answer left");
            }
        }

        if (answer is null)
        {
            await WriteAsync(context, check.Operation, 400, Error("invalid_request_error", string.Join("; ", errors)));
            return;
        }

        switch (answer)
        {
            case ScriptedAnswer.Hang:
                try
                {
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    // The client gave up, as it should.
                }

                return;
            case ScriptedAnswer.RateLimited limited:
                context.Response.Headers["retry-after"] = limited.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                await WriteAsync(context, check.Operation, 429, Error("requests", "Rate limit reached for requests"));
                return;
            case ScriptedAnswer.Completion completion:
                await WriteAsync(context, check.Operation, 200, new JsonObject
                {
                    ["id"] = "chatcmpl-" + Guid.NewGuid().ToString("N"),
                    ["object"] = "chat.completion",
                    ["created"] = 1_795_000_000,
                    ["model"] = json!["model"]!.GetValue<string>(),
                    ["choices"] = new JsonArray(new JsonObject
                    {
                        ["index"] = 0,
                        ["finish_reason"] = "stop",
                        ["logprobs"] = null,
                        ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = completion.Content, ["refusal"] = null },
                    }),
                    ["usage"] = new JsonObject
                    {
                        ["prompt_tokens"] = completion.PromptTokens,
                        ["completion_tokens"] = completion.CompletionTokens,
                        ["total_tokens"] = completion.PromptTokens + completion.CompletionTokens,
                    },
                });
                return;
        }
    }

    /// <summary>What the planning model must send beyond what the description allows.</summary>
    private IEnumerable<string> Expectations(JsonObject request, string authorization)
    {
        if (authorization != "Bearer " + _apiKey)
        {
            yield return "no bearer key, or not the configured one";
        }

        if ((string?)request["model"] != Model)
        {
            yield return $"model is '{request["model"]}', not the configured '{Model}'";
        }

        if (request["stream"] is JsonValue stream && stream.GetValue<bool>())
        {
            yield return "the planning model must not stream";
        }

        var format = request["response_format"];
        if ((string?)format?["type"] != "json_schema" || format?["json_schema"]?["schema"] is not JsonObject || format?["json_schema"]?["name"] is null)
        {
            yield return "response_format must be json_schema with a named schema";
        }

        if (request["messages"] is not JsonArray { Count: 2 })
        {
            yield return "expected one system and one user message";
        }
    }

    private async Task WriteAsync(HttpContext context, OpenApiOperation? operation, int status, JsonObject body)
    {
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        if (operation is not null)
        {
            var errors = _validator.CheckResponse(operation, status, "application/json", bytes);
            lock (_gate)
            {
                _violations.AddRange(errors.Where(_ => status != 400).Select(e => $"response {status}: {e}"));
            }
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    private static JsonObject Error(string type, string message) => new()
    {
        ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = null, ["code"] = null },
    };
}
