using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Orchestrator.Tests.Fakes;

/// <summary>A message in <see cref="DiscordFake"/>'s world with every earlier version of it.</summary>
public sealed class FakeMessage(string id, string channelId, DateTimeOffset timestamp)
{
    public string Id { get; } = id;

    public string ChannelId { get; } = channelId;

    public DateTimeOffset Timestamp { get; } = timestamp;

    public string Content { get; set; } = string.Empty;

    public JsonArray Embeds { get; set; } = [];

    public JsonArray Components { get; set; } = [];

    public int Flags { get; set; }

    public JsonNode? Nonce { get; set; }

    public DateTimeOffset? EditedTimestamp { get; set; }

    /// <summary>Set for interaction responses and follow-ups (sent through the application's webhook).</summary>
    public string? WebhookId { get; set; }

    /// <summary>The thread started from this message, if any (it has the message's id).</summary>
    public FakeThread? Thread { get; set; }

    /// <summary>Earlier contents, oldest first; one entry per edit.</summary>
    public List<string> History { get; } = [];
}

public sealed record FakeThread(string Id, string ParentId, string GuildId, string Name, int Type, int AutoArchiveDuration, DateTimeOffset CreatedAt);

/// <summary>An interaction the fake "received": its token opens the webhook routes for 15 minutes, as on Discord.</summary>
public sealed record FakeInteraction(string Token, string ChannelId, DateTimeOffset CreatedAt)
{
    public override string ToString() => $"FakeInteraction {{ ChannelId = {ChannelId}, CreatedAt = {CreatedAt:O} }}";
}

/// <summary>
/// Discord's HTTP API v10 for the routes the Orchestrator uses, over in-memory channels, checked against Discord's
/// OpenAPI description. Bot routes need <c>Authorization: Bot &lt;token&gt;</c>; interaction webhook routes need a
/// live interaction token instead. Every answer carries Discord's X-RateLimit-* headers.
/// </summary>
public sealed partial class DiscordFake : ApiFake
{
    private static readonly DateTimeOffset DiscordEpoch = new(2015, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly Dictionary<string, string> _channels = new(StringComparer.Ordinal); // channel id -> guild id
    private readonly Dictionary<string, List<FakeMessage>> _messages = new(StringComparer.Ordinal);
    private readonly List<FakeThread> _threads = [];
    private readonly Dictionary<string, FakeInteraction> _interactions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeMessage> _originals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<FakeMessage>> _followUps = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonArray> _commands = new(StringComparer.Ordinal); // "" = global, else guild id
    private readonly Dictionary<string, (DateTimeOffset WindowStart, int Used)> _buckets = new(StringComparer.Ordinal);
    private long _sequence;

    private DiscordFake(string botToken, string applicationId, TimeProvider time)
        : base(OpenApiDocument.Discord(), time)
    {
        BotToken = botToken;
        ApplicationId = applicationId;
        Map("POST", "/channels/{channel_id}/messages", CreateMessage);
        Map("GET", "/channels/{channel_id}/messages", ListMessages);
        Map("GET", "/channels/{channel_id}/messages/{message_id}", GetMessage);
        Map("PATCH", "/channels/{channel_id}/messages/{message_id}", EditMessage);
        Map("POST", "/channels/{channel_id}/messages/{message_id}/threads", StartThreadFromMessage);
        Map("POST", "/channels/{channel_id}/threads", StartThread);
        Map("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", EditOriginal);
        Map("POST", "/webhooks/{webhook_id}/{webhook_token}", CreateFollowUp);
        Map("GET", "/applications/{application_id}/commands", ListGlobalCommands);
        Map("PUT", "/applications/{application_id}/commands", OverwriteGlobalCommands);
        Map("GET", "/applications/{application_id}/guilds/{guild_id}/commands", ListGuildCommands);
        Map("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", OverwriteGuildCommands);
        MapSetup();
    }

    public string BotToken { get; }

    public string ApplicationId { get; }

    public string BotUserId => ApplicationId;

    /// <summary>How long Discord remembers a nonce for <c>enforce_nonce</c> ("the past few minutes"; assumed 5).</summary>
    public TimeSpan NonceWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Requests per bucket and window reported in X-RateLimit-* headers. Not enforced: use <see cref="RateLimitNext"/>.</summary>
    public int BucketLimit { get; set; } = 5;

    public TimeSpan BucketWindow { get; set; } = TimeSpan.FromSeconds(5);

    public static async Task<DiscordFake> StartAsync(
        string botToken = "fake-bot-token",
        string applicationId = "1100000000000000001",
        TimeProvider? time = null,
        CancellationToken cancellationToken = default)
    {
        var fake = new DiscordFake(botToken, applicationId, time ?? TimeProvider.System);
        await fake.StartServerAsync(cancellationToken);
        return fake;
    }

    /// <summary>A text channel in a guild; returns its id.</summary>
    public string AddChannel(string guildId = "1200000000000000001", string? channelId = null)
    {
        lock (_channels)
        {
            var id = channelId ?? NextSnowflake();
            _channels[id] = guildId;
            _messages[id] = [];
            return id;
        }
    }

    /// <summary>
    /// An interaction in a channel that the app has answered with a deferred response (type 5): its original
    /// response exists, empty, and can be edited; follow-ups can be sent for 15 minutes.
    /// </summary>
    public FakeInteraction OpenInteraction(string channelId)
    {
        lock (_channels)
        {
            var interaction = new FakeInteraction(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)), channelId, Time.GetUtcNow());
            _interactions[interaction.Token] = interaction;
            var original = new FakeMessage(NextSnowflake(), channelId, Time.GetUtcNow()) { WebhookId = ApplicationId };
            _messages[channelId].Add(original);
            _originals[interaction.Token] = original;
            _followUps[interaction.Token] = [];
            return interaction;
        }
    }

    public IReadOnlyList<FakeMessage> Messages(string channelId)
    {
        lock (_channels)
        {
            return _messages.TryGetValue(channelId, out var list) ? list.ToList() : [];
        }
    }

    public IReadOnlyList<FakeThread> Threads
    {
        get
        {
            lock (_channels)
            {
                return _threads.ToList();
            }
        }
    }

    public FakeMessage Original(FakeInteraction interaction)
    {
        lock (_channels)
        {
            return _originals[interaction.Token];
        }
    }

    public IReadOnlyList<FakeMessage> FollowUps(FakeInteraction interaction)
    {
        lock (_channels)
        {
            return _followUps[interaction.Token].ToList();
        }
    }

    /// <summary>The registered commands: global when <paramref name="guildId"/> is null.</summary>
    public JsonArray Commands(string? guildId = null)
    {
        lock (_channels)
        {
            return (JsonArray)(_commands.GetValueOrDefault(guildId ?? string.Empty) ?? []).DeepClone();
        }
    }

    /// <summary>429 with Discord's JSON body, Retry-After and X-RateLimit-* headers for the next matching requests.</summary>
    public void RateLimitNext(HttpMethod method, string pathPattern, double retryAfterSeconds, bool global = false, int count = 1)
    {
        var headers = new Dictionary<string, string>
        {
            ["Retry-After"] = Math.Ceiling(retryAfterSeconds).ToString(CultureInfo.InvariantCulture),
            ["X-RateLimit-Limit"] = BucketLimit.ToString(CultureInfo.InvariantCulture),
            ["X-RateLimit-Remaining"] = "0",
            ["X-RateLimit-Reset"] = Seconds(Time.GetUtcNow().AddSeconds(retryAfterSeconds).ToUnixTimeMilliseconds() / 1000.0),
            ["X-RateLimit-Reset-After"] = Seconds(retryAfterSeconds),
            ["X-RateLimit-Scope"] = global ? "global" : "user",
        };
        if (global)
        {
            headers["X-RateLimit-Global"] = "true";
        }

        FailNext(method, pathPattern, HttpStatusCode.TooManyRequests, headers, count, new JsonObject
        {
            ["message"] = "You are being rate limited.",
            ["retry_after"] = retryAfterSeconds,
            ["global"] = global,
            ["code"] = 0,
        });
    }

    protected override JsonNode FaultBody(int status) => new JsonObject
    {
        ["message"] = status == 429 ? "You are being rate limited." : $"{status}: {(HttpStatusCode)status}",
        ["code"] = 0,
    };

    protected override JsonNode ViolationBody(string message) => new JsonObject
    {
        ["message"] = "Invalid Form Body (the fake's OpenAPI check): " + message,
        ["code"] = 50035,
    };

    protected override FakeResponse? Authenticate(FakeRequest request)
    {
        if (request.PathValues.TryGetValue("webhook_token", out var token))
        {
            // Interaction webhooks are authorised by the token in the path, valid for 15 minutes.
            lock (_channels)
            {
                return request.Value("webhook_id") == ApplicationId
                    && _interactions.TryGetValue(token, out var interaction)
                    && Time.GetUtcNow() - interaction.CreatedAt < TimeSpan.FromMinutes(15)
                    ? null
                    : Error(404, 10015, "Unknown Webhook");
            }
        }

        return request.Header("Authorization") == $"Bot {BotToken}" ? null : Error(401, 0, "401: Unauthorized");
    }

    protected override void Decorate(FakeRequest? request, FakeResponse response)
    {
        if (request is null)
        {
            return;
        }

        // Discord buckets by route and major parameter (channel, guild or webhook).
        var major = request.PathValues.GetValueOrDefault("channel_id") ?? request.PathValues.GetValueOrDefault("guild_id") ?? request.PathValues.GetValueOrDefault("webhook_id") ?? string.Empty;
        var route = request.Method + " " + request.Operation.PathTemplateText;
        var bucket = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(route)))[..32];
        if (response.Headers.ContainsKey("X-RateLimit-Remaining"))
        {
            response.Headers["X-RateLimit-Bucket"] = bucket; // an injected 429 brings its own numbers
            return;
        }

        var now = Time.GetUtcNow();
        int used;
        DateTimeOffset start;
        lock (_buckets)
        {
            var key = bucket + ":" + major;
            var state = _buckets.GetValueOrDefault(key);
            if (now - state.WindowStart >= BucketWindow)
            {
                state = (now, 0);
            }

            state.Used++;
            _buckets[key] = state;
            (start, used) = state;
        }

        var reset = start + BucketWindow;
        response.Headers.TryAdd("X-RateLimit-Limit", BucketLimit.ToString(CultureInfo.InvariantCulture));
        response.Headers.TryAdd("X-RateLimit-Remaining", Math.Max(0, BucketLimit - used).ToString(CultureInfo.InvariantCulture));
        response.Headers.TryAdd("X-RateLimit-Reset", Seconds(reset.ToUnixTimeMilliseconds() / 1000.0));
        response.Headers.TryAdd("X-RateLimit-Reset-After", Seconds((reset - now).TotalSeconds));
        response.Headers["X-RateLimit-Bucket"] = bucket;
    }

    private static string Seconds(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);

    private static FakeResponse Error(int status, int code, string message) =>
        new(status, new JsonObject { ["message"] = message, ["code"] = code });

    /// <summary>Snowflakes: milliseconds since 2015 shifted left 22 bits, plus a counter.</summary>
    private string NextSnowflake()
    {
        var ms = (long)(Time.GetUtcNow() - DiscordEpoch).TotalMilliseconds;
        return ((ms << 22) | (Interlocked.Increment(ref _sequence) & 0xFFF)).ToString(CultureInfo.InvariantCulture);
    }

    private List<FakeMessage>? Channel(FakeRequest request) =>
        _messages.GetValueOrDefault(request.Value("channel_id"));

    private FakeResponse CreateMessage(FakeRequest request)
    {
        lock (_channels)
        {
            if (Channel(request) is not { } channel)
            {
                return Error(404, 10003, "Unknown Channel");
            }

            var body = request.Body!.AsObject();
            var nonce = body["nonce"];
            if (nonce is not null && body["enforce_nonce"]?.GetValue<bool>() == true)
            {
                var since = Time.GetUtcNow() - NonceWindow;
                var earlier = channel.FirstOrDefault(m => m.Nonce is not null && m.WebhookId is null && m.Timestamp >= since && JsonNode.DeepEquals(m.Nonce, nonce));
                if (earlier is not null)
                {
                    return new FakeResponse(200, MessageJson(earlier)) { IsEffect = false }; // Discord returns the first message, creates nothing
                }
            }

            if (string.IsNullOrEmpty(body["content"]?.GetValue<string>()) && body["embeds"] is not JsonArray { Count: > 0 } && body["components"] is not JsonArray { Count: > 0 })
            {
                return Error(400, 50006, "Cannot send an empty message");
            }

            var message = new FakeMessage(NextSnowflake(), request.Value("channel_id"), Time.GetUtcNow()) { Nonce = nonce?.DeepClone() };
            Apply(message, body);
            channel.Add(message);
            return new FakeResponse(200, MessageJson(message));
        }
    }

    private FakeResponse ListMessages(FakeRequest request)
    {
        lock (_channels)
        {
            if (Channel(request) is not { } channel)
            {
                return Error(404, 10003, "Unknown Channel");
            }

            var limit = int.Parse(request.Query("limit") ?? "50", CultureInfo.InvariantCulture);
            IEnumerable<FakeMessage> newestFirst = channel.OrderByDescending(m => ulong.Parse(m.Id, CultureInfo.InvariantCulture));
            if (request.Query("before") is { } before)
            {
                newestFirst = newestFirst.Where(m => ulong.Parse(m.Id, CultureInfo.InvariantCulture) < ulong.Parse(before, CultureInfo.InvariantCulture));
            }

            if (request.Query("after") is { } after)
            {
                // Discord answers "after" pages newest first too, with the messages closest to "after".
                newestFirst = newestFirst.Where(m => ulong.Parse(m.Id, CultureInfo.InvariantCulture) > ulong.Parse(after, CultureInfo.InvariantCulture)).TakeLast(limit);
            }

            return new FakeResponse(200, new JsonArray(newestFirst.Take(limit).Select(m => (JsonNode)MessageJson(m)).ToArray()));
        }
    }

    private FakeResponse GetMessage(FakeRequest request)
    {
        lock (_channels)
        {
            var message = Channel(request)?.FirstOrDefault(m => m.Id == request.Value("message_id"));
            return message is null ? Error(404, 10008, "Unknown Message") : new FakeResponse(200, MessageJson(message));
        }
    }

    private FakeResponse EditMessage(FakeRequest request)
    {
        lock (_channels)
        {
            var message = Channel(request)?.FirstOrDefault(m => m.Id == request.Value("message_id"));
            if (message is null)
            {
                return Error(404, 10008, "Unknown Message");
            }

            if (message.WebhookId is not null)
            {
                return Error(403, 50005, "Cannot edit a message authored by another user");
            }

            Edit(message, request.Body!.AsObject());
            return new FakeResponse(200, MessageJson(message));
        }
    }

    private FakeResponse StartThreadFromMessage(FakeRequest request)
    {
        lock (_channels)
        {
            var message = Channel(request)?.FirstOrDefault(m => m.Id == request.Value("message_id"));
            if (message is null)
            {
                return Error(404, 10008, "Unknown Message");
            }

            if (message.Thread is not null)
            {
                return Error(400, 160004, "A thread has already been created for this message");
            }

            var body = request.Body!.AsObject();
            var thread = new FakeThread(message.Id, message.ChannelId, _channels[message.ChannelId], body["name"]!.GetValue<string>(), 11, body["auto_archive_duration"]?.GetValue<int>() ?? 4320, Time.GetUtcNow());
            message.Thread = thread;
            AddThread(thread);
            return new FakeResponse(201, ThreadJson(thread));
        }
    }

    private FakeResponse StartThread(FakeRequest request)
    {
        lock (_channels)
        {
            if (Channel(request) is null)
            {
                return Error(404, 10003, "Unknown Channel");
            }

            var body = request.Body!.AsObject();
            var parent = request.Value("channel_id");
            var thread = new FakeThread(NextSnowflake(), parent, _channels[parent], body["name"]!.GetValue<string>(), body["type"]?.GetValue<int>() ?? 12, body["auto_archive_duration"]?.GetValue<int>() ?? 4320, Time.GetUtcNow());
            AddThread(thread);
            return new FakeResponse(201, ThreadJson(thread));
        }
    }

    private void AddThread(FakeThread thread)
    {
        _threads.Add(thread);
        _channels[thread.Id] = thread.GuildId;
        _messages[thread.Id] = [];
    }

    private FakeResponse EditOriginal(FakeRequest request)
    {
        lock (_channels)
        {
            var original = _originals[request.Value("webhook_token")];
            Edit(original, request.Body!.AsObject());
            return new FakeResponse(200, MessageJson(original));
        }
    }

    private FakeResponse CreateFollowUp(FakeRequest request)
    {
        lock (_channels)
        {
            var token = request.Value("webhook_token");
            var interaction = _interactions[token];
            var message = new FakeMessage(NextSnowflake(), interaction.ChannelId, Time.GetUtcNow()) { WebhookId = ApplicationId };
            Apply(message, request.Body!.AsObject());
            _messages[interaction.ChannelId].Add(message);
            _followUps[token].Add(message);

            // Follow-ups to interactions always return the message (the "wait" parameter is for other webhooks).
            return new FakeResponse(200, MessageJson(message));
        }
    }

    private FakeResponse ListGlobalCommands(FakeRequest request) => ListCommands(request, string.Empty);

    private FakeResponse ListGuildCommands(FakeRequest request) => ListCommands(request, request.Value("guild_id"));

    private FakeResponse OverwriteGlobalCommands(FakeRequest request) => OverwriteCommands(request, string.Empty);

    private FakeResponse OverwriteGuildCommands(FakeRequest request) => OverwriteCommands(request, request.Value("guild_id"));

    private FakeResponse ListCommands(FakeRequest request, string scope)
    {
        if (request.Value("application_id") != ApplicationId)
        {
            return Error(403, 50001, "Missing Access");
        }

        lock (_channels)
        {
            return new FakeResponse(200, (_commands.GetValueOrDefault(scope) ?? []).DeepClone());
        }
    }

    private FakeResponse OverwriteCommands(FakeRequest request, string scope)
    {
        if (request.Value("application_id") != ApplicationId)
        {
            return Error(403, 50001, "Missing Access");
        }

        lock (_channels)
        {
            var existing = _commands.GetValueOrDefault(scope) ?? [];
            var result = new JsonArray();
            foreach (var command in request.Body as JsonArray ?? [])
            {
                var json = WithoutNulls(command!.AsObject());
                var name = json["name"]!.GetValue<string>();
                var type = json["type"]?.GetValue<int>() ?? 1;

                // Discord keeps the id of a command whose name and type are unchanged.
                var previous = existing.FirstOrDefault(c => c!["name"]!.GetValue<string>() == name && c["type"]!.GetValue<int>() == type);
                json["id"] = previous?["id"]?.GetValue<string>() ?? NextSnowflake();
                json["application_id"] = ApplicationId;
                json["version"] = NextSnowflake();
                json["type"] = type;
                json["description"] ??= string.Empty;
                json["default_member_permissions"] = command["default_member_permissions"]?.ToString();
                json["dm_permission"] ??= true;
                json["nsfw"] ??= false;
                if (scope.Length > 0)
                {
                    json["guild_id"] = scope;
                }

                result.Add(json);
            }

            _commands[scope] = result;
            return new FakeResponse(200, result.DeepClone());
        }
    }

    private static void Apply(FakeMessage message, JsonObject body)
    {
        message.Content = body["content"]?.GetValue<string>() ?? string.Empty;
        message.Embeds = Embeds(body["embeds"]);
        message.Components = Components(body["components"]);
        message.Flags = body["flags"]?.GetValue<int>() ?? 0;
    }

    private void Edit(FakeMessage message, JsonObject body)
    {
        message.History.Add(message.Content);
        if (body.ContainsKey("content"))
        {
            message.Content = body["content"]?.GetValue<string>() ?? string.Empty;
        }

        if (body.ContainsKey("embeds"))
        {
            message.Embeds = Embeds(body["embeds"]);
        }

        if (body.ContainsKey("components"))
        {
            message.Components = Components(body["components"]);
        }

        message.EditedTimestamp = Time.GetUtcNow();
    }

    /// <summary>Discord echoes rich embeds with "type": "rich" and without the null fields a request may carry.</summary>
    private static JsonArray Embeds(JsonNode? embeds) =>
        new((embeds as JsonArray ?? []).Select(e =>
        {
            var json = WithoutNulls(e!.AsObject());
            json["type"] ??= "rich";
            foreach (var field in json["fields"] as JsonArray ?? [])
            {
                field!["inline"] ??= false;
            }

            return (JsonNode)json;
        }).ToArray());

    /// <summary>
    /// Discord numbers every component of a message (the "id" field) when the request does not, and fills a select
    /// menu's min_values and max_values with their documented default, 1.
    /// </summary>
    private static JsonArray Components(JsonNode? components)
    {
        var next = 1;
        JsonObject Number(JsonObject component)
        {
            var json = WithoutNulls(component);
            json["id"] ??= next++;
            if (json["type"]?.GetValue<int>() is >= 3 and <= 8 and not 4)
            {
                json["min_values"] ??= 1;
                json["max_values"] ??= 1;
            }
            if (json["components"] is JsonArray children)
            {
                json["components"] = new JsonArray(children.Select(c => (JsonNode)Number(c!.AsObject())).ToArray());
            }

            return json;
        }

        return new JsonArray((components as JsonArray ?? []).Select(c => (JsonNode)Number(c!.AsObject())).ToArray());
    }

    private static JsonObject WithoutNulls(JsonObject source)
    {
        var copy = new JsonObject();
        foreach (var (name, value) in source)
        {
            if (value is not null)
            {
                copy[name] = value.DeepClone();
            }
        }

        return copy;
    }

    private JsonObject MessageJson(FakeMessage message)
    {
        var json = new JsonObject
        {
            ["type"] = 0,
            ["content"] = message.Content,
            ["mentions"] = new JsonArray(),
            ["mention_roles"] = new JsonArray(),
            ["attachments"] = new JsonArray(),
            ["embeds"] = message.Embeds.DeepClone(),
            ["timestamp"] = Timestamp(message.Timestamp),
            ["edited_timestamp"] = message.EditedTimestamp is { } edited ? Timestamp(edited) : null,
            ["flags"] = message.Flags,
            ["components"] = message.Components.DeepClone(),
            ["id"] = message.Id,
            ["channel_id"] = message.ChannelId,
            ["author"] = BotUser(),
            ["pinned"] = false,
            ["mention_everyone"] = false,
            ["tts"] = false,
        };
        if (message.Nonce is not null)
        {
            json["nonce"] = message.Nonce.DeepClone();
        }

        if (message.WebhookId is not null)
        {
            json["webhook_id"] = message.WebhookId;
            json["application_id"] = ApplicationId;
        }

        if (message.Thread is not null)
        {
            json["thread"] = ThreadJson(message.Thread);
        }

        return json;
    }

    private JsonObject BotUser() => new()
    {
        ["id"] = BotUserId,
        ["username"] = "orchestrator",
        ["avatar"] = null,
        ["discriminator"] = "0000",
        ["public_flags"] = 0,
        ["flags"] = 0,
        ["bot"] = true,
        ["global_name"] = null,
        ["primary_guild"] = null,
    };

    private JsonObject ThreadJson(FakeThread thread) => new()
    {
        ["id"] = thread.Id,
        ["type"] = thread.Type,
        ["last_message_id"] = null,
        ["flags"] = 0,
        ["guild_id"] = thread.GuildId,
        ["name"] = thread.Name,
        ["parent_id"] = thread.ParentId,
        ["rate_limit_per_user"] = 0,
        ["owner_id"] = BotUserId,
        ["thread_metadata"] = new JsonObject
        {
            ["archived"] = false,
            ["archive_timestamp"] = Timestamp(thread.CreatedAt),
            ["auto_archive_duration"] = thread.AutoArchiveDuration,
            ["locked"] = false,
            ["create_timestamp"] = Timestamp(thread.CreatedAt),
        },
        ["message_count"] = Messages(thread.Id).Count,
        ["member_count"] = 1,
        ["total_message_sent"] = Messages(thread.Id).Count,
    };
}
