using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;

namespace Orchestrator.Discord;

/// <summary>
/// A typed HttpClient for Discord's REST API v10 (shapes from Discord's OpenAPI description). It waits for
/// known-exhausted rate-limit buckets before sending, retries a 429 after Discord's retry_after, and retries a
/// 5xx only for idempotent methods: a POST that got a 5xx may have happened, so the caller reconciles (nonce,
/// effect ledger) instead of this client posting twice. All waiting goes through <see cref="TimeProvider"/>.
/// </summary>
internal sealed partial class DiscordRestClient(
    HttpClient http,
    IOptions<DiscordOptions> options,
    DiscordRateLimits limits,
    TimeProvider time,
    ILogger<DiscordRestClient> logger) : IDiscordApi
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(500);
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public Task<DiscordMessage> CreateMessageAsync(string channelId, MessagePayload payload, string? nonce, CancellationToken cancellationToken)
    {
        if (nonce is not null && (nonce.Length == 0 || nonce.Length > DiscordLimits.Nonce))
        {
            throw new ArgumentException($"A nonce has 1 to {DiscordLimits.Nonce} characters.", nameof(nonce));
        }

        var body = CreateMessageBody.From(DiscordLimits.Fit(payload), nonce);
        return SendAsync(
            DiscordRoute.Bot(HttpMethod.Post, "channels/{channel_id}/messages", channelId),
            Serialize(body, DiscordJsonContext.Default.CreateMessageBody),
            DiscordJsonContext.Default.DiscordMessage,
            cancellationToken);
    }

    public Task<DiscordMessage> EditMessageAsync(string channelId, string messageId, MessagePayload payload, CancellationToken cancellationToken) =>
        SendAsync(
            DiscordRoute.Bot(HttpMethod.Patch, "channels/{channel_id}/messages/{message_id}", channelId, messageId),
            SerializeMessage(payload),
            DiscordJsonContext.Default.DiscordMessage,
            cancellationToken);

    public Task<DiscordThread> StartThreadFromMessageAsync(string channelId, string messageId, string name, int autoArchiveMinutes, CancellationToken cancellationToken) =>
        SendAsync(
            DiscordRoute.Bot(HttpMethod.Post, "channels/{channel_id}/messages/{message_id}/threads", channelId, messageId),
            Serialize(new CreateThreadBody(DiscordLimits.FitThreadName(name), DiscordLimits.CheckAutoArchiveMinutes(autoArchiveMinutes)), DiscordJsonContext.Default.CreateThreadBody),
            DiscordJsonContext.Default.DiscordThread,
            cancellationToken);

    public Task<DiscordThread> CreateThreadAsync(string channelId, string name, int autoArchiveMinutes, CancellationToken cancellationToken) =>
        SendAsync(
            DiscordRoute.Bot(HttpMethod.Post, "channels/{channel_id}/threads", channelId),
            Serialize(
                new CreateThreadBody(DiscordLimits.FitThreadName(name), DiscordLimits.CheckAutoArchiveMinutes(autoArchiveMinutes)) { Type = 11 },
                DiscordJsonContext.Default.CreateThreadBody),
            DiscordJsonContext.Default.DiscordThread,
            cancellationToken);

    public Task<DiscordMessage> EditOriginalInteractionResponseAsync(string applicationId, string interactionToken, MessagePayload payload, CancellationToken cancellationToken) =>
        SendAsync(
            DiscordRoute.Interaction(HttpMethod.Patch, "webhooks/{application_id}/{interaction_token}/messages/@original", applicationId, interactionToken),
            SerializeMessage(payload),
            DiscordJsonContext.Default.DiscordMessage,
            cancellationToken);

    public Task<DiscordMessage> CreateFollowupMessageAsync(string applicationId, string interactionToken, MessagePayload payload, CancellationToken cancellationToken) =>
        SendAsync(
            // wait=true: answer with the created message rather than 204.
            DiscordRoute.Interaction(HttpMethod.Post, "webhooks/{application_id}/{interaction_token}", applicationId, interactionToken).WithQuery("wait=true"),
            SerializeMessage(payload),
            DiscordJsonContext.Default.DiscordMessage,
            cancellationToken);

    public async Task<IReadOnlyList<DiscordMessage>> GetChannelMessagesAsync(string channelId, int limit, string? after, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 100);
        var query = "limit=" + limit.ToString(CultureInfo.InvariantCulture) + (after is null ? string.Empty : "&after=" + Uri.EscapeDataString(after));
        return await SendAsync(
            DiscordRoute.Bot(HttpMethod.Get, "channels/{channel_id}/messages", channelId).WithQuery(query),
            null,
            DiscordJsonContext.Default.IReadOnlyListDiscordMessage,
            cancellationToken);
    }

    public Task<IReadOnlyList<RegisteredCommand>> GetGlobalCommandsAsync(CancellationToken cancellationToken) =>
        SendAsync(
            DiscordRoute.Bot(HttpMethod.Get, "applications/{application_id}/commands", ApplicationId()),
            null,
            DiscordJsonContext.Default.IReadOnlyListRegisteredCommand,
            cancellationToken);

    public Task<IReadOnlyList<RegisteredCommand>> GetGuildCommandsAsync(string guildId, CancellationToken cancellationToken) =>
        SendAsync(
            DiscordRoute.Bot(HttpMethod.Get, "applications/{application_id}/guilds/{guild_id}/commands", ApplicationId(), guildId),
            null,
            DiscordJsonContext.Default.IReadOnlyListRegisteredCommand,
            cancellationToken);

    public Task<IReadOnlyList<RegisteredCommand>> BulkOverwriteGlobalCommandsAsync(IReadOnlyList<ApplicationCommandDefinition> commands, CancellationToken cancellationToken) =>
        SendAsync(
            DiscordRoute.Bot(HttpMethod.Put, "applications/{application_id}/commands", ApplicationId()),
            Serialize(commands, DiscordJsonContext.Default.IReadOnlyListApplicationCommandDefinition),
            DiscordJsonContext.Default.IReadOnlyListRegisteredCommand,
            cancellationToken);

    public Task<IReadOnlyList<RegisteredCommand>> BulkOverwriteGuildCommandsAsync(string guildId, IReadOnlyList<ApplicationCommandDefinition> commands, CancellationToken cancellationToken) =>
        SendAsync(
            DiscordRoute.Bot(HttpMethod.Put, "applications/{application_id}/guilds/{guild_id}/commands", ApplicationId(), guildId),
            Serialize(commands, DiscordJsonContext.Default.IReadOnlyListApplicationCommandDefinition),
            DiscordJsonContext.Default.IReadOnlyListRegisteredCommand,
            cancellationToken);

    public Task<DiscordBotUser> GetCurrentUserAsync(CancellationToken cancellationToken) =>
        SendAsync(DiscordRoute.Bot(HttpMethod.Get, "users/@me"), null, DiscordJsonContext.Default.DiscordBotUser, cancellationToken);

    public Task<DiscordApplication> GetCurrentApplicationAsync(CancellationToken cancellationToken) =>
        SendAsync(DiscordRoute.Bot(HttpMethod.Get, "applications/@me"), null, DiscordJsonContext.Default.DiscordApplication, cancellationToken);

    public Task<DiscordChannel> GetChannelAsync(string channelId, CancellationToken cancellationToken) =>
        SendAsync(DiscordRoute.Bot(HttpMethod.Get, "channels/{channel_id}", channelId), null, DiscordJsonContext.Default.DiscordChannel, cancellationToken);

    private static byte[] Serialize<T>(T value, JsonTypeInfo<T> typeInfo) => JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);

    /// <summary>Autocomplete choices belong only in an interaction callback, never in a message body.</summary>
    private static byte[] SerializeMessage(MessagePayload payload) =>
        Serialize(DiscordLimits.Fit(payload) with { Choices = null }, DiscordJsonContext.Default.MessagePayload);

    private static bool IsGlobal(HttpResponseMessage response, DiscordErrorBody? body) =>
        body?.Global == true
        || (response.Headers.TryGetValues("X-RateLimit-Global", out var global) && global.Contains("true", StringComparer.OrdinalIgnoreCase))
        || (response.Headers.TryGetValues("X-RateLimit-Scope", out var scope) && scope.Contains("global", StringComparer.OrdinalIgnoreCase));

    /// <summary>retry_after in the body (seconds, fractional) is the most precise; then Retry-After, then the bucket's reset.</summary>
    private static TimeSpan RetryAfter(HttpResponseMessage response, DiscordErrorBody? body)
    {
        if (body?.RetryAfter is { } seconds)
        {
            return DiscordRateLimits.Seconds(seconds);
        }

        if (response.Headers.RetryAfter?.Delta is { } delta)
        {
            return delta;
        }

        return response.Headers.TryGetValues("X-RateLimit-Reset-After", out var values)
            && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var resetAfter)
            ? DiscordRateLimits.Seconds(resetAfter)
            : TimeSpan.FromSeconds(1);
    }

    private static async Task<DiscordErrorBody?> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return text.Length == 0 ? null : JsonSerializer.Deserialize(text, DiscordJsonContext.Default.DiscordErrorBody);
        }
        catch (JsonException)
        {
            return null; // e.g. an HTML page from a proxy in front of Discord
        }
    }

    private string ApplicationId() => options.Value.ApplicationId is { Length: > 0 } id
        ? id
        : throw new InvalidOperationException($"{DiscordOptions.Section}:ApplicationId is not set; it is the application id from the Discord Developer Portal.");

    private async Task<T> SendAsync<T>(DiscordRoute route, byte[]? body, JsonTypeInfo<T> responseType, CancellationToken cancellationToken)
    {
        using var response = await SendWithRetriesAsync(route, body, cancellationToken).ConfigureAwait(false);
        try
        {
            var result = await response.Content.ReadFromJsonAsync(responseType, cancellationToken).ConfigureAwait(false);
            return result ?? throw new DiscordApiException(route.ToString(), response.StatusCode, null, "The response body was empty.", [], null);
        }
        catch (JsonException ex)
        {
            throw new DiscordApiException(route.ToString(), response.StatusCode, null, "The response body was not the expected JSON.", [], null, ex);
        }
    }

    private async Task<HttpResponseMessage> SendWithRetriesAsync(DiscordRoute route, byte[]? body, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var botToken = route.UsesBotToken ? BotToken(settings) : null;
        var waited = TimeSpan.Zero;
        for (var attempt = 1; ; attempt++)
        {
            var before = limits.Reserve(route);
            if (before > TimeSpan.Zero)
            {
                if (waited + before > settings.RestMaxWait)
                {
                    throw new DiscordApiException(route.ToString(), HttpStatusCode.TooManyRequests, null, "The rate-limit bucket is exhausted for longer than the retry budget.", [], before);
                }

                Log.WaitingForBucket(logger, route, before.TotalMilliseconds);
                await Task.Delay(before, time, cancellationToken).ConfigureAwait(false);
                waited += before;
            }

            HttpResponseMessage response;
            var started = time.GetTimestamp();
            using (var request = new HttpRequestMessage(route.Method, route.Path))
            {
                if (botToken is not null)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bot", botToken);
                }

                if (body is not null)
                {
                    request.Content = new ByteArrayContent(body) { Headers = { ContentType = Json } };
                }

                try
                {
                    response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    var backoff = Backoff(attempt);
                    if (!route.IsIdempotent || attempt >= settings.RestMaxAttempts || waited + backoff > settings.RestMaxWait)
                    {
                        throw DiscordApiException.NoResponse(route, ex);
                    }

                    Log.RetryingAfterFailure(logger, route, "no response", backoff.TotalMilliseconds, attempt);
                    await Task.Delay(backoff, time, cancellationToken).ConfigureAwait(false);
                    waited += backoff;
                    continue;
                }
            }

            limits.Update(route, response);
            var elapsedMs = time.GetElapsedTime(started).TotalMilliseconds;
            Log.Answered(logger, route, (int)response.StatusCode, elapsedMs);
            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            using (response)
            {
                var error = await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    var retryAfter = RetryAfter(response, error);
                    var global = IsGlobal(response, error);
                    limits.RateLimited(route, retryAfter, global);
                    if (attempt >= settings.RestMaxAttempts || waited + retryAfter > settings.RestMaxWait)
                    {
                        throw DiscordApiException.From(route, response.StatusCode, error, retryAfter);
                    }

                    // The wait happens at the top of the loop, through the bucket (or global) that RateLimited just closed.
                    Log.RateLimited(logger, route, global, retryAfter.TotalMilliseconds, attempt);
                    continue;
                }

                if ((int)response.StatusCode >= 500 && route.IsIdempotent)
                {
                    var backoff = Backoff(attempt);
                    if (attempt < settings.RestMaxAttempts && waited + backoff <= settings.RestMaxWait)
                    {
                        Log.RetryingAfterFailure(logger, route, response.StatusCode.ToString(), backoff.TotalMilliseconds, attempt);
                        await Task.Delay(backoff, time, cancellationToken).ConfigureAwait(false);
                        waited += backoff;
                        continue;
                    }
                }

                throw DiscordApiException.From(route, response.StatusCode, error, null);
            }
        }
    }

    private static TimeSpan Backoff(int attempt) => FirstBackoff * Math.Pow(2, attempt - 1);

    private static string BotToken(DiscordOptions settings) => settings.BotToken is { Length: > 0 } token
        ? token
        : throw new InvalidOperationException($"{DiscordOptions.Section}:BotToken is not set; Discord REST calls need the bot token from the Developer Portal.");

    private static partial class Log
    {
        [LoggerMessage(EventId = 130, Level = LogLevel.Debug, Message = "Discord answered {StatusCode} to {Route} in {ElapsedMs:0.0} ms")]
        public static partial void Answered(ILogger logger, DiscordRoute route, int statusCode, double elapsedMs);

        [LoggerMessage(EventId = 131, Level = LogLevel.Information, Message = "Waiting {DelayMs:0} ms for Discord's rate limit before {Route}")]
        public static partial void WaitingForBucket(ILogger logger, DiscordRoute route, double delayMs);

        [LoggerMessage(EventId = 132, Level = LogLevel.Warning, Message = "Discord rate limited {Route} (global: {Global}); retrying in {DelayMs:0} ms (attempt {Attempt})")]
        public static partial void RateLimited(ILogger logger, DiscordRoute route, bool global, double delayMs, int attempt);

        [LoggerMessage(EventId = 133, Level = LogLevel.Warning, Message = "Discord call {Route} failed ({Failure}); retrying in {DelayMs:0} ms (attempt {Attempt})")]
        public static partial void RetryingAfterFailure(ILogger logger, DiscordRoute route, string failure, double delayMs, int attempt);
    }
}
