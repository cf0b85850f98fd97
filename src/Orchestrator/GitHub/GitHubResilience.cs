using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Orchestrator.GitHub;

/// <summary>
/// The retry rules of GitHub REST calls, used by the "GitHub" named HttpClient under Octokit.
/// <para>What is retried: 5xx and 408 answers and transport errors, for idempotent methods only (GET, HEAD,
/// OPTIONS, PUT, DELETE); 429 answers and 403 answers that carry GitHub's rate-limit signals (Retry-After,
/// x-ratelimit-remaining: 0, or the "secondary rate limit" message), for every method, because GitHub rejects
/// those before acting; and connection failures (nothing was sent), for every method.</para>
/// <para>What is not: a POST or PATCH that failed with 5xx or after it was sent. A 502 on a POST does not prove
/// the comment or dispatch did not happen, and a blind retry could do it twice. The effect ledger above this
/// layer (<see cref="Jobs.Effects"/>) reconciles such a call by its marker before doing it again.</para>
/// <para>How long: the server's Retry-After, else the x-ratelimit-reset time when x-ratelimit-remaining is 0,
/// else one minute for a secondary rate limit without headers (GitHub's guidance), else exponential backoff
/// with jitter. A wait above <see cref="GitHubRetryOptions.MaxRetryDelay"/> or beyond the call's
/// <see cref="GitHubRetryOptions.MaxTotalDelay"/> is not taken: the answer goes back to the caller.</para>
/// </summary>
public static partial class GitHubResilience
{
    /// <summary>The named HttpClient whose handler Octokit uses.</summary>
    public const string ClientName = "GitHub";

    private static readonly ResiliencePropertyKey<TimeSpan> NextDelay = new("github.next-delay");
    private static readonly ResiliencePropertyKey<TimeSpan> Waited = new("github.waited");
    private static readonly HashSet<HttpMethod> Idempotent = [HttpMethod.Get, HttpMethod.Head, HttpMethod.Options, HttpMethod.Put, HttpMethod.Delete];

    public static IServiceCollection AddGitHubHttpClient(this IServiceCollection services)
    {
        services.AddHttpClient(ClientName).AddHttpMessageHandler(() => new JsonContentTypeHandler()).AddResilienceHandler("github-retry", (builder, context) =>
        {
            var time = context.ServiceProvider.GetRequiredService<TimeProvider>();
            var options = context.ServiceProvider.GetRequiredService<IOptionsMonitor<GitHubOptions>>();
            var logger = context.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(GitHubResilience));
            builder.TimeProvider = time;
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = 10, // the ceiling of GitHubRetryOptions.MaxRetries; ShouldHandle applies the configured number
                ShouldHandle = async args =>
                {
                    var retry = options.CurrentValue.Retry;
                    if (args.AttemptNumber >= retry.MaxRetries || args.Context.GetRequestMessage() is not { } request)
                    {
                        return false;
                    }

                    var delay = await DecideAsync(request, args.Outcome, args.AttemptNumber, time.GetUtcNow(), retry, args.Context.CancellationToken);
                    var waited = args.Context.Properties.GetValue(Waited, TimeSpan.Zero);
                    if (delay is null || delay > retry.MaxRetryDelay || waited + delay > retry.MaxTotalDelay)
                    {
                        return false;
                    }

                    args.Context.Properties.Set(NextDelay, delay.Value);
                    args.Context.Properties.Set(Waited, waited + delay.Value);
                    return true;
                },
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(args.Context.Properties.GetValue(NextDelay, TimeSpan.Zero)),
                OnRetry = args =>
                {
                    var request = args.Context.GetRequestMessage();
                    Log.Retrying(
                        logger,
                        request?.Method.Method ?? "?",
                        request?.RequestUri?.AbsolutePath ?? "?",
                        args.Outcome.Result is { } response ? (int)response.StatusCode : 0,
                        args.Outcome.Exception?.GetType().Name,
                        args.AttemptNumber + 1,
                        args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            });
        });
        return services;
    }

    /// <summary>How long to wait before trying again, or null when the outcome must not be retried.</summary>
    public static async Task<TimeSpan?> DecideAsync(
        HttpRequestMessage request,
        Outcome<HttpResponseMessage> outcome,
        int attempt,
        DateTimeOffset now,
        GitHubRetryOptions options,
        CancellationToken cancellationToken)
    {
        var idempotent = Idempotent.Contains(request.Method);
        if (outcome.Exception is { } exception)
        {
            return exception switch
            {
                OperationCanceledException => null, // the caller's token or Octokit's request timeout
                HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } => Backoff(attempt, options),
                HttpRequestException or IOException when idempotent => Backoff(attempt, options),
                _ => null,
            };
        }

        if (outcome.Result is not { } response)
        {
            return null;
        }

        var status = (int)response.StatusCode;
        if (status == 429 || (status == 403 && await IsRateLimitedAsync(response, cancellationToken)))
        {
            return ServerDelay(response, now) ?? (status == 403 ? TimeSpan.FromMinutes(1) : Backoff(attempt, options));
        }

        if ((status >= 500 || status == 408) && idempotent)
        {
            return ServerDelay(response, now) ?? Backoff(attempt, options);
        }

        return null;
    }

    /// <summary>When a rate-limited answer says to come back: Retry-After, else x-ratelimit-reset (with remaining 0).</summary>
    public static TimeSpan? ServerDelay(HttpResponseMessage response, DateTimeOffset now)
    {
        if (response.Headers.RetryAfter is { } retryAfter)
        {
            var delay = retryAfter.Delta ?? (retryAfter.Date is { } date ? date - now : null);
            if (delay is { } value)
            {
                return value < TimeSpan.Zero ? TimeSpan.Zero : value;
            }
        }

        if (Header(response.Headers, "x-ratelimit-remaining") == "0"
            && long.TryParse(Header(response.Headers, "x-ratelimit-reset"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var reset))
        {
            // One second more: the reset time is whole seconds and our clock may run a little behind GitHub's.
            var wait = DateTimeOffset.FromUnixTimeSeconds(reset) - now + TimeSpan.FromSeconds(1);
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    private static async Task<bool> IsRateLimitedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Headers.RetryAfter is not null || Header(response.Headers, "x-ratelimit-remaining") == "0")
        {
            return true;
        }

        // A secondary rate limit may come with neither header; only its message tells it from a permission error.
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return body.Contains("secondary rate limit", StringComparison.OrdinalIgnoreCase);
    }

    private static TimeSpan Backoff(int attempt, GitHubRetryOptions options)
    {
        var exponential = options.BaseDelay * Math.Pow(2, attempt);
        var jittered = exponential * (0.8 + (Random.Shared.NextDouble() * 0.4));
        return jittered > options.MaxRetryDelay ? options.MaxRetryDelay : jittered;
    }

    private static string? Header(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    /// <summary>
    /// Octokit labels the JSON it sends "application/x-www-form-urlencoded" unless a call names another type,
    /// and its PATCH overloads cannot. GitHub parses the body as JSON either way, but documents application/json
    /// for every request body we send, so that is what goes on the wire. Octokit never sends real form data.
    /// </summary>
    internal sealed class JsonContentTypeHandler : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Content?.Headers.ContentType is { MediaType: "application/x-www-form-urlencoded" })
            {
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 240, Level = LogLevel.Warning, Message = "GitHub {Method} {Path} failed (status {Status}, {Exception}); attempt {Attempt} in {Delay}")]
        public static partial void Retrying(ILogger logger, string method, string path, int status, string? exception, int attempt, TimeSpan delay);
    }
}
