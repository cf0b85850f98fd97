using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.GitHub;
using Orchestrator.Jobs;
using Orchestrator.Storage;

namespace Orchestrator.Tests.Jobs;

/// <summary>When a failed job runs again: after its backoff, or when the failure says the call may succeed.</summary>
public sealed class JobRunnerTests
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-25T09:00:00Z", CultureInfo.InvariantCulture));
    private readonly JobOptions _options = new() { BaseBackoff = TimeSpan.FromSeconds(2), MaxBackoff = TimeSpan.FromMinutes(15) };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_rate_limited_job_is_retried_no_earlier_than_the_limit_resets()
    {
        // Arrange
        var reset = _clock.GetUtcNow().AddMinutes(20);
        var (queue, runner) = Runner(new GitHubApiException("rate limited", HttpStatusCode.Forbidden, reset, new InvalidOperationException()));
        var job = await EnqueueAndClaimAsync(queue);

        // Act
        await runner.RunAsync(job, Ct);

        // Assert
        var retried = await queue.GetAsync(job.Id, Ct);
        Assert.Equal(JobState.Pending, retried!.State);
        Assert.Equal(reset, retried.DueAt);
    }

    [Theory]
    [InlineData("not configured")]
    [InlineData("404")]
    [InlineData("401")]
    public async Task A_permanent_failure_is_dead_lettered_at_once_not_retried(string failure)
    {
        // Arrange: trying again cannot fix a missing setting or a request GitHub refused for itself.
        Exception error = failure switch
        {
            "not configured" => new GitHubNotConfiguredException(),
            "404" => new GitHubApiException("not found", HttpStatusCode.NotFound, null, new InvalidOperationException()),
            _ => new GitHubApiException("bad credentials", HttpStatusCode.Unauthorized, null, new InvalidOperationException()),
        };
        var (queue, runner) = Runner(error);
        var job = await EnqueueAndClaimAsync(queue);

        // Act
        await runner.RunAsync(job, Ct);

        // Assert
        var dead = await queue.GetAsync(job.Id, Ct);
        Assert.Equal(JobState.DeadLettered, dead!.State);
        Assert.Equal(1, dead.Attempts);
    }

    [Fact]
    public async Task A_server_error_is_retried()
    {
        var (queue, runner) = Runner(new GitHubApiException("bad gateway", HttpStatusCode.BadGateway, null, new InvalidOperationException()));
        var job = await EnqueueAndClaimAsync(queue);

        await runner.RunAsync(job, Ct);

        Assert.Equal(JobState.Pending, (await queue.GetAsync(job.Id, Ct))!.State);
    }

    [Fact]
    public async Task The_hint_of_a_wrapped_failure_counts_too()
    {
        // Arrange: a handler that goes on with other work wraps the failure it retries for.
        var inner = new GitHubApiException("rate limited", HttpStatusCode.TooManyRequests, _clock.GetUtcNow().AddSeconds(90), new InvalidOperationException());
        var (queue, runner) = Runner(new InvalidOperationException("some tasks wait", inner));
        var job = await EnqueueAndClaimAsync(queue);

        // Act
        await runner.RunAsync(job, Ct);

        // Assert
        Assert.Equal(_clock.GetUtcNow().AddSeconds(90), (await queue.GetAsync(job.Id, Ct))!.DueAt);
    }

    [Fact]
    public void A_hint_shorter_than_the_backoff_keeps_the_backoff_and_a_huge_one_is_capped()
    {
        // Arrange
        var (_, runner) = Runner(new InvalidOperationException());
        var soon = new GitHubApiException("limited", HttpStatusCode.TooManyRequests, _clock.GetUtcNow().AddMilliseconds(1), new InvalidOperationException());
        var never = new GitHubApiException("limited", HttpStatusCode.TooManyRequests, _clock.GetUtcNow().AddDays(3), new InvalidOperationException());

        // Act
        var afterSoon = runner.RetryDelay(soon, attempt: 1);
        var afterNever = runner.RetryDelay(never, attempt: 1);
        var plain = runner.RetryDelay(new InvalidOperationException(), attempt: 1);

        // Assert
        Assert.Equal(_options.BaseBackoff, afterSoon);
        Assert.Equal(JobRunner.MaxHintedDelay, afterNever);
        Assert.Equal(_options.BaseBackoff, plain);
    }

    private (FaultyJobQueue Queue, JobRunner Runner) Runner(Exception failure)
    {
        var queue = new FaultyJobQueue(_clock);
        var runner = new JobRunner(queue, [new FailingHandler(failure)], Options.Create(_options), _clock, NullLogger<JobRunner>.Instance);
        return (queue, runner);
    }

    private static async Task<Job> EnqueueAndClaimAsync(FaultyJobQueue queue)
    {
        await queue.EnqueueAsync(new JobRequest(FailingHandler.JobKind, "k1", "{}", null), Ct);
        return Assert.Single(await queue.ClaimAsync("w1", TimeSpan.FromMinutes(1), 1, Ct));
    }

    private sealed class FailingHandler(Exception failure) : IJobHandler
    {
        public const string JobKind = "test.fail";

        public string Kind => JobKind;

        public Task HandleAsync(Job job, CancellationToken cancellationToken) => throw failure;
    }
}
