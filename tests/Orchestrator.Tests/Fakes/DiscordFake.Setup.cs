using System.Text.Json.Nodes;

namespace Orchestrator.Tests.Fakes;

/// <summary>The bot user, the application (with its Interactions Endpoint URL) and channels as the bot sees them.</summary>
public sealed partial class DiscordFake
{
    private readonly HashSet<string> _hiddenChannels = new(StringComparer.Ordinal);

    /// <summary>The application's Interactions Endpoint URL in the Developer Portal; null until set.</summary>
    public string? InteractionsEndpointUrl { get; set; }

    /// <summary>Makes a channel answer 403 Missing Access, as Discord does for a channel the bot may not view.</summary>
    public void HideChannel(string channelId)
    {
        lock (_channels)
        {
            _hiddenChannels.Add(channelId);
        }
    }

    private void MapSetup()
    {
        Map("GET", "/users/@me", GetMyUser);
        Map("GET", "/applications/@me", GetMyApplication);
        Map("GET", "/channels/{channel_id}", GetChannel);
    }

    private FakeResponse GetMyUser(FakeRequest request)
    {
        var user = BotUser();
        user["mfa_enabled"] = false;
        user["locale"] = "en-US";
        return new FakeResponse(200, user) { IsEffect = false };
    }

    private FakeResponse GetMyApplication(FakeRequest request) => new(200, new JsonObject
    {
        ["id"] = ApplicationId,
        ["name"] = "Orchestrator",
        ["icon"] = null,
        ["description"] = string.Empty,
        ["type"] = null,
        ["verify_key"] = new string('a', 64),
        ["flags"] = 0,
        ["flags_new"] = "0",
        ["redirect_uris"] = new JsonArray(),
        ["interactions_endpoint_url"] = InteractionsEndpointUrl,
        ["role_connections_verification_url"] = null,
        ["owner"] = BotUser(),
        ["approximate_guild_count"] = 1,
        ["approximate_user_install_count"] = 0,
        ["approximate_user_authorization_count"] = 0,
        ["explicit_content_filter"] = 0,
        ["team"] = null,
        ["eligible_oauth2_scopes"] = new JsonArray(),
    })
    { IsEffect = false };

    private FakeResponse GetChannel(FakeRequest request)
    {
        var id = request.Value("channel_id");
        lock (_channels)
        {
            if (!_channels.TryGetValue(id, out var guild))
            {
                return Error(404, 10003, "Unknown Channel");
            }

            if (_hiddenChannels.Contains(id))
            {
                return Error(403, 50001, "Missing Access");
            }

            return new FakeResponse(200, new JsonObject
            {
                ["id"] = id,
                ["type"] = 0,
                ["flags"] = 0,
                ["guild_id"] = guild,
                ["name"] = "daily-plan",
                ["position"] = 0,
            })
            { IsEffect = false };
        }
    }
}
