using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Discord;

/// <summary>
/// One REST call's address. A class, not a record, and its <see cref="ToString"/> is the redacted form: an
/// interaction token is part of the path, and logs, exceptions and rate-limit keys must never carry it.
/// </summary>
internal sealed class DiscordRoute
{
    private const string Redacted = "***";

    private DiscordRoute(HttpMethod method, string template, string path, string logPath, string majorKey, bool usesBotToken)
    {
        Method = method;
        Template = template;
        Path = path;
        LogPath = logPath;
        MajorKey = majorKey;
        UsesBotToken = usesBotToken;
    }

    public HttpMethod Method { get; }

    /// <summary>The path with placeholders, e.g. channels/{channel_id}/messages: one rate-limit route.</summary>
    public string Template { get; }

    /// <summary>The real relative path. Contains the interaction token on interaction routes: never log it.</summary>
    public string Path { get; }

    /// <summary>The path with any token replaced by ***.</summary>
    public string LogPath { get; }

    /// <summary>Discord's "major parameter" (channel, guild, or webhook + token hash): buckets are per route and major parameter.</summary>
    public string MajorKey { get; }

    /// <summary>Bot routes carry Authorization: Bot; interaction-webhook routes are authorised by their token alone.</summary>
    public bool UsesBotToken { get; }

    /// <summary>GET, PUT, PATCH and DELETE may be repeated safely after a 5xx; a POST may have taken effect.</summary>
    public bool IsIdempotent => Method != HttpMethod.Post;

    public string RouteKey => Method.Method + " " + Template;

    /// <summary>A bot-token route; the first value is the major parameter when the template starts with channels/ or guilds/.</summary>
    public static DiscordRoute Bot(HttpMethod method, string template, params string[] values)
    {
        var path = Fill(template, values);
        var major = template.StartsWith("channels/", StringComparison.Ordinal) || template.StartsWith("guilds/", StringComparison.Ordinal)
            ? values[0]
            : template.Contains("/guilds/", StringComparison.Ordinal) ? values[^1] : string.Empty;
        return new DiscordRoute(method, template, path, path, major, usesBotToken: true);
    }

    /// <summary>An interaction-webhook route: webhooks/{application_id}/{token}/...; the token is the second value.</summary>
    public static DiscordRoute Interaction(HttpMethod method, string template, string applicationId, string token)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        var path = Fill(template, [applicationId, token]);
        var logPath = Fill(template, [applicationId, token], redact: 1);
        var tokenHash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)).AsSpan(0, 8));
        return new DiscordRoute(method, template, path, logPath, applicationId + ":" + tokenHash, usesBotToken: false);
    }

    /// <summary>Adds a query string (never secret) to both forms of the path.</summary>
    public DiscordRoute WithQuery(string query) => string.IsNullOrEmpty(query)
        ? this
        : new DiscordRoute(Method, Template, Path + "?" + query, LogPath + "?" + query, MajorKey, UsesBotToken);

    public override string ToString() => Method.Method + " " + LogPath;

    private static string Fill(string template, string[] values, int redact = -1)
    {
        var builder = new StringBuilder(template.Length + 64);
        var index = 0;
        var position = 0;
        while (position < template.Length)
        {
            var open = template.IndexOf('{', position);
            if (open < 0)
            {
                builder.Append(template, position, template.Length - position);
                break;
            }

            var close = template.IndexOf('}', open);
            builder.Append(template, position, open - position);
            var value = values[index];
            ArgumentException.ThrowIfNullOrEmpty(value, template[(open + 1)..close]);
            builder.Append(index == redact ? Redacted : Uri.EscapeDataString(value));
            index++;
            position = close + 1;
        }

        if (index != values.Length)
        {
            throw new ArgumentException($"Route {template} takes {index} values, not {values.Length}.", nameof(values));
        }

        return builder.ToString();
    }
}
