using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Orchestrator.Discord;

namespace Orchestrator.Tests.Discord;

/// <summary>The REST client against <see cref="Fakes.DiscordFake"/>, which checks every request against Discord's OpenAPI description.</summary>
public sealed class DiscordRestClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_message_is_created_in_the_channel_with_the_bot_token_and_a_discord_user_agent()
    {
        // Arrange
        await using var discord = await DiscordApiHarness.StartAsync();
        var channel = discord.Fake.AddChannel();

        // Act
        var message = await discord.Api.CreateMessageAsync(channel, MessagePayload.Text("Plan for today"), nonce: null, Ct);

        // Assert
        var stored = Assert.Single(discord.Fake.Messages(channel));
        Assert.Equal(stored.Id, message.Id);
        Assert.Equal(channel, message.ChannelId);
        Assert.Equal("Plan for today", stored.Content);
        var request = Assert.Single(discord.Fake.RequestsTo("create_message"));
        Assert.Equal("Bot", request.AuthorizationScheme);
        Assert.Matches(new Regex(@"^DiscordBot \(https?://[^ ,]+, \d+\.\d+\.\d+[^ )]*\)$"), request.Headers["User-Agent"]);
        Assert.Contains("\"allowed_mentions\":{\"parse\":[]}", request.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_is_edited_in_place()
    {
        // Arrange
        await using var discord = await DiscordApiHarness.StartAsync();
        var channel = discord.Fake.AddChannel();
        var message = await discord.Api.CreateMessageAsync(channel, MessagePayload.Text("draft"), null, Ct);

        // Act
        var edited = await discord.Api.EditMessageAsync(channel, message.Id, new MessagePayload
        {
            Content = "approved",
            Embeds = [new Embed { Title = "Run 42", Description = "All tasks merged", Fields = [new EmbedField("Checks", "green", true)] }],
            Components = [new ActionRow([new Button(ButtonStyle.Success, "Ship", CustomId: "ship:42")])],
        }, Ct);

        // Assert
        Assert.Equal(message.Id, edited.Id);
        var stored = Assert.Single(discord.Fake.Messages(channel));
        Assert.Equal("approved", stored.Content);
        Assert.Equal(["draft"], stored.History);
        Assert.Single(stored.Embeds);
        Assert.Single(stored.Components);
    }

    [Fact]
    public async Task A_thread_is_started_on_a_message_with_its_name_on_one_line_and_cut_to_100_characters()
    {
        // Arrange
        await using var discord = await DiscordApiHarness.StartAsync();
        var channel = discord.Fake.AddChannel();
        var message = await discord.Api.CreateMessageAsync(channel, MessagePayload.Text("Daily plan"), null, Ct);
        var longName = "Plan 2026-11-25\n" + new string('x', 150);

        // Act
        var thread = await discord.Api.StartThreadFromMessageAsync(channel, message.Id, longName, 1440, Ct);

        // Assert
        var stored = Assert.Single(discord.Fake.Threads);
        Assert.Equal(stored.Id, thread.Id);
        Assert.Equal(channel, thread.ParentId);
        Assert.Equal(100, stored.Name.Length);
        Assert.StartsWith("Plan 2026-11-25 xxx", stored.Name, StringComparison.Ordinal);
        Assert.EndsWith("…", stored.Name, StringComparison.Ordinal);
        Assert.Equal(1440, stored.AutoArchiveDuration);
    }

    [Fact]
    public async Task A_thread_without_a_message_is_public()
    {
        // Arrange
        await using var discord = await DiscordApiHarness.StartAsync();
        var channel = discord.Fake.AddChannel();

        // Act
        var thread = await discord.Api.CreateThreadAsync(channel, "Run 42", 4320, Ct);

        // Assert
        var stored = Assert.Single(discord.Fake.Threads);
        Assert.Equal(stored.Id, thread.Id);
        Assert.Equal(11, stored.Type);
        Assert.Equal(11, thread.Type);
    }

    [Fact]
    public async Task A_thread_duration_Discord_does_not_offer_is_refused_before_sending()
    {
        // Arrange
        await using var discord = await DiscordApiHarness.StartAsync();
        var channel = discord.Fake.AddChannel();

        // Act
        var act = () => discord.Api.CreateThreadAsync(channel, "Run 42", 90, Ct);

        // Assert
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(act);
        Assert.Empty(discord.Fake.Requests);
    }

    [Fact]
    public async Task The_deferred_interaction_response_is_edited_and_a_follow_up_is_sent_without_the_bot_token()
    {
        // Arrange
        await using var discord = await DiscordApiHarness.StartAsync();
        var channel = discord.Fake.AddChannel();
        var interaction = discord.Fake.OpenInteraction(channel);

        // Act
        var original = await discord.Api.EditOriginalInteractionResponseAsync(DiscordApiHarness.ApplicationId, interaction.Token, MessagePayload.Text("Plan drafted."), Ct);
        var followUp = await discord.Api.CreateFollowupMessageAsync(DiscordApiHarness.ApplicationId, interaction.Token, MessagePayload.Text("Only you can see this.", ephemeral: true), Ct);

        // Assert
        Assert.Equal("Plan drafted.", discord.Fake.Original(interaction).Content);
        Assert.Equal(discord.Fake.Original(interaction).Id, original.Id);
        var stored = Assert.Single(discord.Fake.FollowUps(interaction));
        Assert.Equal(stored.Id, followUp.Id);
        Assert.Equal(MessageFlags.Ephemeral, stored.Flags);
        Assert.All(discord.Fake.Requests, r => Assert.Null(r.AuthorizationScheme));
    }

    [Fact]
    public async Task A_failed_call_names_status_code_and_route_but_never_the_interaction_token()
    {
        // Arrange
        await using var discord = await DiscordApiHarness.StartAsync();
        const string token = "aW50ZXJhY3Rpb246c2VjcmV0LXRva2Vu-expired";

        // Act
        var error = await Assert.ThrowsAsync<DiscordApiException>(() =>
            discord.Api.EditOriginalInteractionResponseAsync(DiscordApiHarness.ApplicationId, token, MessagePayload.Text("late"), Ct));

        // Assert
        Assert.Equal(HttpStatusCode.NotFound, error.Status);
        Assert.Equal(10015, error.Code);
        Assert.Equal("PATCH webhooks/1100000000000000001/***/messages/@original", error.Route);
        Assert.DoesNotContain(token, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(token, error.ToString(), StringComparison.Ordinal);
        Assert.NotEmpty(discord.Logs.Lines);
        Assert.All(discord.Logs.Lines, line => Assert.DoesNotContain(token, line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refused_body_fails_once_with_Discord_field_errors()
    {
        // Arrange
        await using var discord = await DiscordApiHarness.StartAsync();
        var channel = discord.Fake.AddChannel();
        discord.Fake.FailNext(HttpMethod.Post, "/channels/{channel_id}/messages", HttpStatusCode.BadRequest, body: JsonNode.Parse("""
            {"code": 50035, "message": "Invalid Form Body", "errors": {"embeds": {"0": {"url": {"_errors": [{"code": "URL_TYPE_INVALID_URL", "message": "Not a well formed URL."}]}}}}}
            """));

        // Act
        var error = await Assert.ThrowsAsync<DiscordApiException>(() =>
            discord.Api.CreateMessageAsync(channel, new MessagePayload { Embeds = [new Embed { Url = "http://x" }] }, null, Ct));

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, error.Status);
        Assert.Equal(50035, error.Code);
        Assert.Equal("Invalid Form Body", error.DiscordMessage);
        Assert.Equal(["embeds.0.url: Not a well formed URL."], error.FieldErrors);
        Assert.Contains("embeds.0.url: Not a well formed URL.", error.Message, StringComparison.Ordinal);
        Assert.False(error.OutcomeUnknown);
        Assert.Single(discord.Fake.RequestsTo("create_message"));
    }

    [Fact]
    public async Task The_bot_token_appears_in_no_log_line_or_error()
    {
        // Arrange
        await using var discord = await DiscordApiHarness.StartAsync();
        var channel = discord.Fake.AddChannel();
        discord.Fake.RateLimitNext(HttpMethod.Post, "/channels/{channel_id}/messages", 0.25);

        // Act
        await discord.Api.CreateMessageAsync(channel, MessagePayload.Text("hello"), null, Ct);
        var error = await Assert.ThrowsAsync<DiscordApiException>(() => discord.Api.CreateMessageAsync("999", MessagePayload.Text("nowhere"), null, Ct));

        // Assert
        Assert.Equal(HttpStatusCode.NotFound, error.Status);
        Assert.Contains(discord.Logs.Lines, line => line.Contains("rate limited", StringComparison.Ordinal));
        Assert.All(discord.Logs.Lines, line => Assert.DoesNotContain(DiscordApiHarness.BotToken, line, StringComparison.Ordinal));
        Assert.DoesNotContain(DiscordApiHarness.BotToken, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_oversized_message_is_cut_to_Discord_limits_and_accepted()
    {
        // Arrange
        await using var discord = await DiscordApiHarness.StartAsync();
        var channel = discord.Fake.AddChannel();
        var embeds = Enumerable.Range(0, 12).Select(i => new Embed
        {
            Title = "Task " + i,
            Description = new string('d', 5000),
            Fields = Enumerable.Range(0, 30).Select(f => new EmbedField("f" + f, "v")).ToList(),
        }).ToList();

        // Act
        var message = await discord.Api.CreateMessageAsync(channel, new MessagePayload { Content = new string('c', 2500), Embeds = embeds }, null, Ct);

        // Assert
        var stored = Assert.Single(discord.Fake.Messages(channel));
        Assert.Equal(message.Id, stored.Id);
        Assert.Equal(DiscordLimits.MessageContent, stored.Content.Length);
        Assert.InRange(stored.Embeds.Count, 1, DiscordLimits.EmbedsPerMessage);
        discord.Fake.AssertNoViolations();
    }

    [Fact]
    public async Task Channel_messages_are_listed_newest_first_and_after_a_message()
    {
        // Arrange
        await using var discord = await DiscordApiHarness.StartAsync();
        var channel = discord.Fake.AddChannel();
        var first = await discord.Api.CreateMessageAsync(channel, MessagePayload.Text("one"), null, Ct);
        await discord.Api.CreateMessageAsync(channel, MessagePayload.Text("two"), null, Ct);
        await discord.Api.CreateMessageAsync(channel, MessagePayload.Text("three"), null, Ct);

        // Act
        var latest = await discord.Api.GetChannelMessagesAsync(channel, 2, null, Ct);
        var after = await discord.Api.GetChannelMessagesAsync(channel, 100, first.Id, Ct);

        // Assert
        Assert.Equal(["three", "two"], latest.Select(m => m.Content));
        Assert.Equal(["three", "two"], after.Select(m => m.Content));
    }
}
