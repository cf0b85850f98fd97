using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Telemetry;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Telemetry;

public sealed class TelemetryTests
{
    [Fact]
    public async Task Stored_duplicate_and_refused_deliveries_are_counted()
    {
        // Arrange
        using var app = new AppFixture();

        // Other tests' apps run in parallel with meters of the same name: listen only to this app's, which its
        // IMeterFactory created (the factory is the meter's scope).
        var factory = app.Services.GetRequiredService<IMeterFactory>();
        var measurements = new ConcurrentQueue<(string Instrument, long Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == OrchestratorMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            measurements.Enqueue((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        listener.Start();
        using var client = app.CreateClient();
        const string body = """{"zen":"x","hook_id":1}""";
        var delivery = Guid.NewGuid().ToString();

        // Act
        using var first = await client.SendAsync(app.GitHubRequest("ping", body, delivery), TestContext.Current.CancellationToken);
        using var again = await client.SendAsync(app.GitHubRequest("ping", body, delivery), TestContext.Current.CancellationToken);
        using var forged = await client.SendAsync(app.GitHubRequest("ping", body, secret: "wrong"), TestContext.Current.CancellationToken);

        // Assert
        var deliveries = measurements.Where(m => m.Instrument == "orchestrator.webhook.deliveries").ToList();
        Assert.Single(deliveries, m => (string?)m.Tags["outcome"] == "accepted");
        Assert.Single(deliveries, m => (string?)m.Tags["outcome"] == "duplicate");
        Assert.Single(measurements, m => m.Instrument == "orchestrator.requests.refused" && (string?)m.Tags["endpoint"] == "github");
    }

    [Theory]
    [InlineData("/api/v10/webhooks/1100000000000000001/aW50ZXJhY3Rpb24tdG9rZW4/messages/@original", "/api/v10/webhooks/1100000000000000001/***/messages/@original")]
    [InlineData("/api/v10/webhooks/1100000000000000001/aW50ZXJhY3Rpb24tdG9rZW4", "/api/v10/webhooks/1100000000000000001/***")]
    [InlineData("/api/v10/channels/1/messages", "/api/v10/channels/1/messages")]
    public void Interaction_tokens_are_cut_out_of_exported_paths(string path, string expected)
    {
        Assert.Equal(expected, TelemetryServices.Redact(path));
    }
}
