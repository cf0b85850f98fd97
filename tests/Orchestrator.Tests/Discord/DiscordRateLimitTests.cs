using System.Net;
using Orchestrator.Discord;

namespace Orchestrator.Tests.Discord;

/// <summary>Rate limits, retries and dedupe against <see cref="Fakes.DiscordFake"/>; waiting goes through a skipping clock.</summary>
public sealed class DiscordRateLimitTests
{
    private const string Messages = "/channels/{channel_id}/messages";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_429_is_retried_after_retry_after_and_then_succeeds()
    {
        // Arrange
        await using var discord = await DiscordApiHarness.StartAsync();
        var channel = discord.Fake.AddChannel();
        discord.Fake.RateLimitNext(HttpMethod.Post, Messages, 1.5);

        // Act
        var message = await discord.Api.CreateMessageAsync(channel, MessagePayload.Text("hello"), null, Ct);

        // Assert
        Assert.Equal(message.Id, Assert.Single(discord.Fake.Messages(channel)).Id);
        var requests = discord.Fake.RequestsTo("create_message");
        Assert.Equal([429, 200], requests.Select(r => r.Status));
        Assert.True(requests[1].At - requests[0].At >= TimeSpan.FromSeconds(1.5), $"retried after {requests[1].At - requests[0].At}");
        Assert.Contains(TimeSpan.FromSeconds(1.5), discord.Time.Delays);
    }

    [Fact]
    public async Task A_429_longer_than_the_wait_budget_fails_at_once_with_retry_after()
    {
        // Arrange
        await using var discord = await DiscordApiHarness.StartAsync();
        var channel = discord.Fake.AddChannel();
        discord.Fake.RateLimitNext(HttpMethod.Post, Messages, 120);

        // Act
        var error = await Assert.ThrowsAsync<DiscordApiException>(() => discord.Api.CreateMessageAsync(channel, MessagePayload.Text("hello"), null, Ct));

        // Assert
        Assert.Equal(HttpStatusCode.TooManyRequests, error.Status);
        Assert.Equal(TimeSpan.FromSeconds(120), error.RetryAfter);
        Assert.Single(discord.Fake.RequestsTo("create_message"));
        Assert.Empty(discord.Time.Delays);
        Assert.Empty(discord.Fake.Messages(channel));
    }

    [Fact]
    public async Task Repeated_429s_stop_after_the_attempt_limit()
    {
        // Arrange
        await using var discord = await DiscordApiHarness.StartAsync(new Dictionary<string, string?> { ["Orchestrator:Discord:RestMaxAttempts"] = "3" });
        var channel = discord.Fake.AddChannel();
        discord.Fake.RateLimitNext(HttpMethod.Post, Messages, 0.5, count: 10);

        // Act
        var error = await Assert.ThrowsAsync<DiscordApiException>(() => discord.Api.CreateMessageAsync(channel, MessagePayload.Text("hello"), null, Ct));

        // Assert
        Assert.Equal(HttpStatusCode.TooManyRequests, error.Status);
        Assert.Equal(3, discord.Fake.RequestsTo("create_message").Count);
    }

    [Fact]
    public async Task A_global_429_holds_back_other_bot_routes_but_not_interaction_webhooks()
    {
        // Arrange: one attempt only, so the rate-limited post fails and leaves the global limit in force.
        await using var discord = await DiscordApiHarness.StartAsync(new Dictionary<string, string?> { ["Orchestrator:Discord:RestMaxAttempts"] = "1" });
        var channel = discord.Fake.AddChannel();
        var interaction = discord.Fake.OpenInteraction(channel);
        var message = await discord.Api.CreateMessageAsync(channel, MessagePayload.Text("first"), null, Ct);
        discord.Fake.RateLimitNext(HttpMethod.Post, Messages, 2, global: true);
        await Assert.ThrowsAsync<DiscordApiException>(() => discord.Api.CreateMessageAsync(channel, MessagePayload.Text("second"), null, Ct));
        var limitedAt = discord.Time.GetUtcNow();

        // Act
        await discord.Api.CreateFollowupMessageAsync(DiscordApiHarness.ApplicationId, interaction.Token, MessagePayload.Text("follow-up"), Ct);
        var followUpWaits = discord.Time.Delays.Count;
        await discord.Api.EditMessageAsync(channel, message.Id, MessagePayload.Text("edited"), Ct);

        // Assert
        Assert.Equal(0, followUpWaits);
        Assert.Equal([TimeSpan.FromSeconds(2)], discord.Time.Delays);
        var edit = Assert.Single(discord.Fake.RequestsTo("update_message"));
        Assert.True(edit.At - limitedAt >= TimeSpan.FromSeconds(2), "the edit waited for the global limit");
    }

    [Fact]
    public async Task An_exhausted_bucket_is_waited_out_before_the_next_request()
    {
        // Arrange
        await using var discord = await DiscordApiHarness.StartAsync();
        discord.Fake.BucketLimit = 2;
        discord.Fake.BucketWindow = TimeSpan.FromSeconds(5);
        var channel = discord.Fake.AddChannel();

        // Act
        for (var i = 0; i < 3; i++)
        {
            await discord.Api.CreateMessageAsync(channel, MessagePayload.Text("message " + i), null, Ct);
        }

        // Assert
        var requests = discord.Fake.RequestsTo("create_message");
        Assert.Equal(3, requests.Count);
        Assert.All(requests, r => Assert.Equal(200, r.Status));
        Assert.True(requests[2].At - requests[0].At >= TimeSpan.FromSeconds(5), $"third request came {requests[2].At - requests[0].At} after the first");
        var wait = Assert.Single(discord.Time.Delays);
        Assert.InRange(wait, TimeSpan.FromSeconds(4.9), TimeSpan.FromSeconds(5.01));
    }

    [Fact]
    public async Task Buckets_are_kept_per_channel()
    {
        // Arrange
        await using var discord = await DiscordApiHarness.StartAsync();
        discord.Fake.BucketLimit = 1;
        var first = discord.Fake.AddChannel();
        var second = discord.Fake.AddChannel();

        // Act
        await discord.Api.CreateMessageAsync(first, MessagePayload.Text("a"), null, Ct);
        await discord.Api.CreateMessageAsync(second, MessagePayload.Text("b"), null, Ct);

        // Assert
        Assert.Empty(discord.Time.Delays);
    }

    [Fact]
    public async Task A_patch_that_got_a_5xx_is_retried_with_backoff()
    {
        // Arrange
        await using var discord = await DiscordApiHarness.StartAsync();
        var channel = discord.Fake.AddChannel();
        var message = await discord.Api.CreateMessageAsync(channel, MessagePayload.Text("draft"), null, Ct);
        discord.Fake.FailNext(HttpMethod.Patch, Messages + "/{message_id}", HttpStatusCode.BadGateway, count: 2);

        // Act
        await discord.Api.EditMessageAsync(channel, message.Id, MessagePayload.Text("final"), Ct);

        // Assert
        Assert.Equal("final", Assert.Single(discord.Fake.Messages(channel)).Content);
        Assert.Equal([502, 502, 200], discord.Fake.RequestsTo("update_message").Select(r => r.Status));
        Assert.Equal([TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1)], discord.Time.Delays);
    }

    [Fact]
    public async Task A_post_that_got_a_5xx_is_not_repeated_and_its_outcome_is_unknown()
    {
        // Arrange
        await using var discord = await DiscordApiHarness.StartAsync();
        var channel = discord.Fake.AddChannel();
        discord.Fake.FailNext(HttpMethod.Post, Messages, HttpStatusCode.InternalServerError);

        // Act
        var error = await Assert.ThrowsAsync<DiscordApiException>(() => discord.Api.CreateMessageAsync(channel, MessagePayload.Text("plan"), DiscordNonce.For("plan:42"), Ct));

        // Assert
        Assert.Equal(HttpStatusCode.InternalServerError, error.Status);
        Assert.True(error.OutcomeUnknown);
        Assert.Single(discord.Fake.RequestsTo("create_message"));
    }

    [Fact]
    public async Task The_same_nonce_sent_twice_creates_one_message()
    {
        // Arrange
        await using var discord = await DiscordApiHarness.StartAsync();
        var channel = discord.Fake.AddChannel();
        var nonce = DiscordNonce.For("post-plan:run-42");

        // Act
        var first = await discord.Api.CreateMessageAsync(channel, MessagePayload.Text("plan"), nonce, Ct);
        var again = await discord.NewClient().CreateMessageAsync(channel, MessagePayload.Text("plan"), nonce, Ct);

        // Assert
        Assert.Equal(first.Id, again.Id);
        Assert.Equal(nonce, first.Nonce);
        Assert.Single(discord.Fake.Messages(channel));
        Assert.All(discord.Fake.RequestsTo("create_message"), r => Assert.Contains("\"enforce_nonce\":true", r.Body, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_message_posted_before_a_crash_is_found_again_by_its_nonce()
    {
        // Arrange: the effect was posted, then the process died before recording the message id.
        await using var discord = await DiscordApiHarness.StartAsync();
        var channel = discord.Fake.AddChannel();
        var nonce = DiscordNonce.For("post-plan:run-7");
        await discord.Api.CreateMessageAsync(channel, MessagePayload.Text("other"), DiscordNonce.For("post-plan:run-6"), Ct);
        var posted = await discord.Api.CreateMessageAsync(channel, MessagePayload.Text("plan"), nonce, Ct);
        await discord.Api.CreateMessageAsync(channel, MessagePayload.Text("later"), null, Ct);

        // Act
        var found = await discord.NewClient().FindMessageByNonceAsync(channel, nonce, null, Ct);
        var missing = await discord.NewClient().FindMessageByNonceAsync(channel, DiscordNonce.For("post-plan:run-8"), null, Ct);

        // Assert
        Assert.Equal(posted.Id, found?.Id);
        Assert.Null(missing);
    }

    [Fact]
    public void Nonces_are_stable_per_effect_key_and_fit_Discord()
    {
        Assert.Equal(DiscordNonce.For("post-plan:run-42"), DiscordNonce.For("post-plan:run-42"));
        Assert.NotEqual(DiscordNonce.For("post-plan:run-42"), DiscordNonce.For("post-plan:run-43"));
        Assert.Equal(DiscordLimits.Nonce, DiscordNonce.For("x").Length);
    }
}
