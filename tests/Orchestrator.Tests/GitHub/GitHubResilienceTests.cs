using System.Globalization;
using System.Net;
using Orchestrator.GitHub;
using Polly;

namespace Orchestrator.Tests.GitHub;

/// <summary>The retry decision alone: which outcomes are retried, for which methods, after how long.</summary>
public sealed class GitHubResilienceTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-25T09:00:00Z", CultureInfo.InvariantCulture);
    private static readonly GitHubRetryOptions Options = new() { BaseDelay = TimeSpan.FromSeconds(1) };

    [Theory]
    [InlineData("GET", 502, true)]
    [InlineData("PUT", 503, true)]
    [InlineData("GET", 408, true)]
    [InlineData("POST", 502, false)]
    [InlineData("PATCH", 500, false)]
    [InlineData("POST", 429, true)]
    [InlineData("GET", 404, false)]
    [InlineData("POST", 422, false)]
    public async Task Statuses_are_retried_only_when_a_retry_cannot_repeat_an_effect(string method, int status, bool retried)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), "https://api.github.com/repos/acme/app/issues/1");
        using var response = new HttpResponseMessage((HttpStatusCode)status);

        var delay = await GitHubResilience.DecideAsync(request, Outcome.FromResult(response), 0, Now, Options, TestContext.Current.CancellationToken);

        Assert.Equal(retried, delay is not null);
    }

    [Fact]
    public async Task A_403_without_rate_limit_signals_is_a_permission_error_and_is_not_retried()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.github.com/repos/acme/app/issues/1");
        using var response = new HttpResponseMessage(HttpStatusCode.Forbidden) { Content = new StringContent("""{"message":"Resource not accessible by integration"}""") };

        var delay = await GitHubResilience.DecideAsync(request, Outcome.FromResult(response), 0, Now, Options, TestContext.Current.CancellationToken);

        Assert.Null(delay);
    }

    [Fact]
    public async Task A_connection_that_never_opened_is_retried_even_for_a_POST_but_a_broken_one_is_not()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.github.com/repos/acme/app/issues/1/comments");
        var refused = new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused");
        var broken = new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely");

        var afterRefused = await GitHubResilience.DecideAsync(request, Outcome.FromException<HttpResponseMessage>(refused), 0, Now, Options, TestContext.Current.CancellationToken);
        var afterBroken = await GitHubResilience.DecideAsync(request, Outcome.FromException<HttpResponseMessage>(broken), 0, Now, Options, TestContext.Current.CancellationToken);

        Assert.NotNull(afterRefused);
        Assert.Null(afterBroken);
    }

    [Fact]
    public void Retry_After_as_a_date_and_a_rate_limit_reset_are_read_against_the_clock()
    {
        using var dated = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        dated.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(Now.AddSeconds(12));
        using var reset = new HttpResponseMessage(HttpStatusCode.Forbidden);
        reset.Headers.Add("x-ratelimit-remaining", "0");
        reset.Headers.Add("x-ratelimit-reset", Now.AddSeconds(30).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));

        Assert.Equal(TimeSpan.FromSeconds(12), GitHubResilience.ServerDelay(dated, Now));
        Assert.Equal(TimeSpan.FromSeconds(31), GitHubResilience.ServerDelay(reset, Now));
    }
}
