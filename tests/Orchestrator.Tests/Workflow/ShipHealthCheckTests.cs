using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orchestrator.Runs;
using Orchestrator.Tests.Drivers;

namespace Orchestrator.Tests.Workflow;

/// <summary>/ship with Deploy:HealthUrl: after a successful deploy the service checks the app's health endpoint.</summary>
public sealed class ShipHealthCheckTests
{
    [Fact]
    public async Task A_healthy_app_completes_the_run_with_status_and_latency_in_the_summary()
    {
        // Arrange
        await using var health = await HealthEndpoint.StartAsync(HttpStatusCode.OK);
        await using var loop = await StartAsync(health.Url);

        // Act
        var run = await loop.RunFullLoopAsync();

        // Assert
        Assert.Equal(RunState.Completed, run.State);
        Assert.Equal(200, run.Ship!.HealthStatus);
        Assert.NotNull(run.Ship.HealthLatencyMs);
        Assert.Equal(1, health.Requests);
        var summary = Assert.Single(loop.Thread(run), m => DailyLoopTests.EmbedText(m).Contains("Shipped — run", StringComparison.Ordinal));
        Assert.Matches(@"Health check: HTTP 200 in \d+ ms", DailyLoopTests.EmbedText(summary));
        Assert.Equal("closed", loop.World.Issue(1).State);
    }

    [Fact]
    public async Task An_unhealthy_app_fails_the_run_with_the_reason_and_leaves_the_issues_open()
    {
        // Arrange
        await using var health = await HealthEndpoint.StartAsync(HttpStatusCode.ServiceUnavailable);
        await using var loop = await StartAsync(health.Url);

        // Act
        var run = await loop.RunFullLoopAsync();

        // Assert
        Assert.Equal(RunState.Failed, run.State);
        Assert.Equal(503, run.Ship!.HealthStatus);
        Assert.Contains($"the health check of {health.Url} answered HTTP 503", run.Reason, StringComparison.Ordinal);
        var thread = loop.Thread(run);
        Assert.Single(thread, m => m.Content.Contains("Ship failed", StringComparison.Ordinal) && m.Content.Contains("HTTP 503", StringComparison.Ordinal));
        var summary = Assert.Single(thread, m => DailyLoopTests.EmbedText(m).Contains("Ship failed — run", StringComparison.Ordinal));
        Assert.Contains("Health check: HTTP 503", DailyLoopTests.EmbedText(summary), StringComparison.Ordinal);
        Assert.Equal("open", loop.World.Issue(1).State);
        Assert.Equal(0, loop.GitHub.EffectCount("issues/create-comment"));
    }

    private static async Task<DailyLoopDriver> StartAsync(Uri healthUrl)
    {
        var loop = await DailyLoopDriver.StartAsync(new Dictionary<string, string?> { ["Orchestrator:Repositories:0:Deploy:HealthUrl"] = healthUrl.AbsoluteUri });
        loop.World.AddIssue("One", null, "ready");
        return loop;
    }

    /// <summary>The deployed app's health endpoint: Kestrel on 127.0.0.1 answering one status to GET /healthz.</summary>
    private sealed class HealthEndpoint : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _requests;

        private HealthEndpoint(WebApplication app, HttpStatusCode status)
        {
            _app = app;
            app.MapGet("/healthz", () =>
            {
                Interlocked.Increment(ref _requests);
                return Results.StatusCode((int)status);
            });
        }

        public Uri Url { get; private set; } = new("http://127.0.0.1/");

        public int Requests => Volatile.Read(ref _requests);

        public static async Task<HealthEndpoint> StartAsync(HttpStatusCode status)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var endpoint = new HealthEndpoint(builder.Build(), status);
            await endpoint._app.StartAsync(TestContext.Current.CancellationToken);
            var address = endpoint._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            endpoint.Url = new Uri(address.TrimEnd('/') + "/healthz");
            return endpoint;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
