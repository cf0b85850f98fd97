using System.Globalization;

namespace Orchestrator.Discord;

/// <summary>
/// What Discord told us about its rate limits, shared by every <see cref="DiscordRestClient"/> (a singleton:
/// typed clients are transient). Routes map to buckets through X-RateLimit-Bucket; a bucket's window is kept
/// per major parameter. Before a request, <see cref="Reserve"/> says how long to wait: until the window resets
/// when the bucket is known to be exhausted, or until a global limit lifts. The state is in memory on purpose:
/// it is a cache of Discord's headers, and a fresh process relearns it from the first responses.
/// </summary>
internal sealed class DiscordRateLimits(TimeProvider time)
{
    /// <summary>Above this many windows, expired ones are dropped (interaction routes add one per token).</summary>
    private const int PruneAbove = 512;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, string> _bucketOfRoute = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private DateTimeOffset _globalUntil = DateTimeOffset.MinValue;

    /// <summary>How long to wait before sending; takes one request from the bucket's remaining count when known.</summary>
    public TimeSpan Reserve(DiscordRoute route)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            var wait = route.UsesBotToken && _globalUntil > now ? _globalUntil - now : TimeSpan.Zero;
            if (_bucketOfRoute.TryGetValue(route.RouteKey, out var bucket)
                && _windows.TryGetValue(WindowKey(bucket, route), out var window)
                && window.ResetAt > now)
            {
                if (window.Remaining > 0)
                {
                    window.Remaining--;
                }
                else if (window.ResetAt - now > wait)
                {
                    wait = window.ResetAt - now;
                }
            }

            return wait;
        }
    }

    /// <summary>Learns the route's bucket and window from X-RateLimit-* headers (any response may carry them).</summary>
    public void Update(DiscordRoute route, HttpResponseMessage response)
    {
        var headers = response.Headers;
        var bucket = Header(headers, "X-RateLimit-Bucket");
        var remaining = Header(headers, "X-RateLimit-Remaining");
        var resetAfter = Header(headers, "X-RateLimit-Reset-After");
        if (bucket is null
            || !int.TryParse(remaining, NumberStyles.Integer, CultureInfo.InvariantCulture, out var left)
            || !double.TryParse(resetAfter, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return;
        }

        lock (_lock)
        {
            var now = time.GetUtcNow();
            _bucketOfRoute[route.RouteKey] = bucket;
            _windows[WindowKey(bucket, route)] = new Window(left, now + Seconds(seconds));
            Prune(now);
        }
    }

    /// <summary>After a 429: nothing more on this bucket (or, if global, on any bot route) until retry-after passes.</summary>
    public void RateLimited(DiscordRoute route, TimeSpan retryAfter, bool global)
    {
        lock (_lock)
        {
            var until = time.GetUtcNow() + retryAfter;
            // Interaction webhooks are exempt from the global limit, so a global 429 there closes only its own route.
            if (global && route.UsesBotToken)
            {
                if (until > _globalUntil)
                {
                    _globalUntil = until;
                }

                return;
            }

            // A 429 without a bucket header still blocks its own route.
            if (!_bucketOfRoute.TryGetValue(route.RouteKey, out var bucket))
            {
                bucket = "route:" + route.RouteKey;
                _bucketOfRoute[route.RouteKey] = bucket;
            }

            var key = WindowKey(bucket, route);
            if (!_windows.TryGetValue(key, out var window) || window.Remaining > 0 || window.ResetAt < until)
            {
                _windows[key] = new Window(0, until);
            }
        }
    }

    internal static TimeSpan Seconds(double seconds) =>
        seconds <= 0 || double.IsNaN(seconds) ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Ceiling(Math.Min(seconds, 86_400) * 1000));

    private static string WindowKey(string bucket, DiscordRoute route) => bucket + "|" + route.MajorKey;

    private static string? Header(System.Net.Http.Headers.HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private void Prune(DateTimeOffset now)
    {
        if (_windows.Count <= PruneAbove)
        {
            return;
        }

        foreach (var key in _windows.Where(w => w.Value.ResetAt <= now).Select(w => w.Key).ToList())
        {
            _windows.Remove(key);
        }
    }

    private sealed class Window(int remaining, DateTimeOffset resetAt)
    {
        public int Remaining { get; set; } = remaining;

        public DateTimeOffset ResetAt { get; } = resetAt;
    }
}
