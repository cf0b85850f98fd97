using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;

namespace Orchestrator.Tests.Fakes;

public sealed class DiscordFakeTests
{
    private const string BotToken = "bot-token-for-tests";
    private const string AppId = "1100000000000000001";

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-25T09:00:00Z", CultureInfo.InvariantCulture));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Bot_routes_need_the_bot_token()
    {
        // Arrange
        await using var fake = await DiscordFake.StartAsync(BotToken, AppId, _clock, Ct);
        var channel = fake.AddChannel();
        using var stranger = new HttpClient { BaseAddress = fake.BaseAddress };
        stranger.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bot", "wrong");

        // Act
        using var response = await stranger.PostAsync($"channels/{channel}/messages", Json("""{"content":"hi"}"""), Ct);

        // Assert
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(fake.Messages(channel));
        Assert.Equal("Bot", Assert.Single(fake.Requests).AuthorizationScheme);
    }

    [Fact]
    public async Task An_enforced_nonce_returns_the_first_message_instead_of_a_second()
    {
        // Arrange
        await using var fake = await DiscordFake.StartAsync(BotToken, AppId, _clock, Ct);
        var channel = fake.AddChannel();
        using var client = Bot(fake);
        const string body = """{"content":"Plan for today","nonce":"plan-2026-11-25","enforce_nonce":true}""";

        // Act
        using var first = await client.PostAsync($"channels/{channel}/messages", Json(body), Ct);
        using var retry = await client.PostAsync($"channels/{channel}/messages", Json(body), Ct);
        _clock.Advance(fake.NonceWindow + TimeSpan.FromSeconds(1));
        using var late = await client.PostAsync($"channels/{channel}/messages", Json(body), Ct);
        using var listed = await client.GetAsync($"channels/{channel}/messages?limit=10", Ct);

        // Assert
        var firstId = JsonNode.Parse(await first.Content.ReadAsStringAsync(Ct))!["id"]!.GetValue<string>();
        Assert.Equal(firstId, JsonNode.Parse(await retry.Content.ReadAsStringAsync(Ct))!["id"]!.GetValue<string>());
        Assert.NotEqual(firstId, JsonNode.Parse(await late.Content.ReadAsStringAsync(Ct))!["id"]!.GetValue<string>());
        Assert.Equal(2, fake.Messages(channel).Count);
        Assert.Equal(2, fake.EffectCount("create_message"));
        var found = JsonNode.Parse(await listed.Content.ReadAsStringAsync(Ct))!.AsArray();
        Assert.All(found, m => Assert.Equal("plan-2026-11-25", m!["nonce"]!.GetValue<string>()));
        fake.AssertNoViolations();
    }

    [Fact]
    public async Task Edits_keep_the_history_and_threads_open_from_a_message_or_a_channel()
    {
        // Arrange
        await using var fake = await DiscordFake.StartAsync(BotToken, AppId, _clock, Ct);
        var channel = fake.AddChannel();
        using var client = Bot(fake);
        using var created = await client.PostAsync($"channels/{channel}/messages", Json("""{"content":"v1","embeds":[{"title":"Plan","color":5814783,"fields":[{"name":"#12","value":"Fix it"}]}],"components":[{"type":1,"components":[{"type":2,"style":3,"label":"Approve","custom_id":"approve:1"}]}]}"""), Ct);
        var id = JsonNode.Parse(await created.Content.ReadAsStringAsync(Ct))!["id"]!.GetValue<string>();

        // Act
        _clock.Advance(TimeSpan.FromSeconds(5));
        using var edited = await client.PatchAsync($"channels/{channel}/messages/{id}", Json("""{"content":"v2"}"""), Ct);
        using var fromMessage = await client.PostAsync($"channels/{channel}/messages/{id}/threads", Json("""{"name":"Plan 2026-11-25","auto_archive_duration":1440}"""), Ct);
        using var again = await client.PostAsync($"channels/{channel}/messages/{id}/threads", Json("""{"name":"Twice"}"""), Ct);
        using var standalone = await client.PostAsync($"channels/{channel}/threads", Json("""{"name":"Run log","type":11}"""), Ct);
        var threadId = JsonNode.Parse(await fromMessage.Content.ReadAsStringAsync(Ct))!["id"]!.GetValue<string>();
        using var inThread = await client.PostAsync($"channels/{threadId}/messages", Json("""{"content":"first in thread"}"""), Ct);

        // Assert
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        var message = fake.Messages(channel).Single(m => m.Id == id);
        Assert.Equal("v2", message.Content);
        Assert.Equal(["v1"], message.History);
        Assert.Equal(_clock.GetUtcNow(), message.EditedTimestamp);
        Assert.Equal(HttpStatusCode.Created, fromMessage.StatusCode);
        Assert.Equal(id, threadId); // a thread started from a message has the message's id
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Equal(HttpStatusCode.Created, standalone.StatusCode);
        Assert.Equal(2, fake.Threads.Count);
        Assert.Equal("first in thread", Assert.Single(fake.Messages(threadId)).Content);
        fake.AssertNoViolations();
    }

    [Fact]
    public async Task Interaction_webhooks_edit_the_original_and_send_follow_ups_without_the_bot_token()
    {
        // Arrange
        await using var fake = await DiscordFake.StartAsync(BotToken, AppId, _clock, Ct);
        var channel = fake.AddChannel();
        var interaction = fake.OpenInteraction(channel);
        using var client = new HttpClient { BaseAddress = fake.BaseAddress };

        // Act
        using var original = await client.PatchAsync($"webhooks/{AppId}/{interaction.Token}/messages/@original", Json("""{"content":"Planning…"}"""), Ct);
        using var followUp = await client.PostAsync($"webhooks/{AppId}/{interaction.Token}", Json("""{"content":"Plan posted","flags":64}"""), Ct);
        using var unknown = await client.PostAsync($"webhooks/{AppId}/not-a-token", Json("""{"content":"x"}"""), Ct);
        _clock.Advance(TimeSpan.FromMinutes(16));
        using var expired = await client.PostAsync($"webhooks/{AppId}/{interaction.Token}", Json("""{"content":"late"}"""), Ct);

        // Assert
        Assert.Equal(HttpStatusCode.OK, original.StatusCode);
        Assert.Equal("Planning…", fake.Original(interaction).Content);
        Assert.Equal(HttpStatusCode.OK, followUp.StatusCode);
        Assert.Equal(64, Assert.Single(fake.FollowUps(interaction)).Flags);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, expired.StatusCode);
        fake.AssertNoViolations();
    }

    [Fact]
    public async Task Bulk_overwriting_commands_keeps_the_ids_of_unchanged_names()
    {
        // Arrange
        await using var fake = await DiscordFake.StartAsync(BotToken, AppId, _clock, Ct);
        using var client = Bot(fake);
        const string commands = """[{"name":"plan","description":"Draft today's plan","type":1},{"name":"approve","description":"Approve","options":[{"type":3,"name":"note","description":"Why","required":false}]}]""";

        // Act
        using var first = await client.PutAsync($"applications/{AppId}/commands", Json(commands), Ct);
        using var second = await client.PutAsync($"applications/{AppId}/commands", Json("""[{"name":"plan","description":"Draft the plan"}]"""), Ct);
        using var guild = await client.PutAsync($"applications/{AppId}/guilds/1200000000000000001/commands", Json(commands), Ct);
        using var listed = await client.GetAsync($"applications/{AppId}/commands", Ct);
        using var guildListed = await client.GetAsync($"applications/{AppId}/guilds/1200000000000000001/commands", Ct);

        // Assert
        var firstPlan = JsonNode.Parse(await first.Content.ReadAsStringAsync(Ct))!.AsArray().First(c => c!["name"]!.GetValue<string>() == "plan")!;
        var secondPlan = JsonNode.Parse(await second.Content.ReadAsStringAsync(Ct))!.AsArray().Single()!;
        Assert.Equal(firstPlan["id"]!.GetValue<string>(), secondPlan["id"]!.GetValue<string>());
        Assert.Single(JsonNode.Parse(await listed.Content.ReadAsStringAsync(Ct))!.AsArray());
        Assert.Equal(2, JsonNode.Parse(await guildListed.Content.ReadAsStringAsync(Ct))!.AsArray().Count);
        Assert.Equal(HttpStatusCode.OK, guild.StatusCode);
        Assert.Single(fake.Commands());
        fake.AssertNoViolations();
    }

    [Fact]
    public async Task Answers_carry_rate_limit_headers_and_an_injected_429_has_Discords_body()
    {
        // Arrange
        await using var fake = await DiscordFake.StartAsync(BotToken, AppId, _clock, Ct);
        var channel = fake.AddChannel();
        fake.RateLimitNext(HttpMethod.Post, "/channels/{channel_id}/messages", 1.5);
        using var client = Bot(fake);

        // Act
        using var limited = await client.PostAsync($"channels/{channel}/messages", Json("""{"content":"hi"}"""), Ct);
        using var sent = await client.PostAsync($"channels/{channel}/messages", Json("""{"content":"hi"}"""), Ct);

        // Assert
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(2), limited.Headers.RetryAfter!.Delta);
        var body = JsonNode.Parse(await limited.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal(1.5, body["retry_after"]!.GetValue<double>());
        Assert.False(body["global"]!.GetValue<bool>());
        Assert.Equal("0", limited.Headers.GetValues("X-RateLimit-Remaining").Single());
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        Assert.Equal("5", sent.Headers.GetValues("X-RateLimit-Limit").Single());
        Assert.Equal("4", sent.Headers.GetValues("X-RateLimit-Remaining").Single());
        Assert.Equal("5.000", sent.Headers.GetValues("X-RateLimit-Reset-After").Single());
        Assert.NotEmpty(sent.Headers.GetValues("X-RateLimit-Bucket").Single());
        Assert.Single(fake.Messages(channel));
        fake.AssertNoViolations();
    }

    [Fact]
    public async Task Requests_that_do_not_fit_Discords_description_are_answered_400_and_recorded()
    {
        // Arrange
        await using var fake = await DiscordFake.StartAsync(BotToken, AppId, _clock, Ct);
        var channel = fake.AddChannel();
        using var client = Bot(fake);

        // Act
        using var tooLong = await client.PostAsync($"channels/{channel}/messages", Json($$"""{"content":"{{new string('x', 4001)}}"}"""), Ct);
        using var badNonce = await client.PostAsync($"channels/{channel}/messages", Json("""{"content":"x","nonce":"this-nonce-is-longer-than-25"}"""), Ct);
        using var badId = await client.GetAsync("channels/general/messages", Ct);
        using var wrongMethod = await client.PutAsync($"channels/{channel}/messages", Json("""{"content":"x"}"""), Ct);
        using var badLimit = await client.GetAsync($"channels/{channel}/messages?limit=500", Ct);

        // Assert
        Assert.All(new[] { tooLong, badNonce, badId, wrongMethod, badLimit }, r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
        Assert.Equal(50035, JsonNode.Parse(await tooLong.Content.ReadAsStringAsync(Ct))!["code"]!.GetValue<int>());
        var violations = fake.TakeViolations();
        Assert.Contains(violations, v => v.Contains("above maxLength 4000", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("$.nonce: matches none of oneOf", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("path parameter 'channel_id'", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("PUT is not an operation", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("query parameter 'limit'", StringComparison.Ordinal));
        Assert.Empty(fake.Messages(channel));
    }

    private static HttpClient Bot(DiscordFake fake)
    {
        var client = new HttpClient { BaseAddress = fake.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bot", BotToken);
        return client;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
