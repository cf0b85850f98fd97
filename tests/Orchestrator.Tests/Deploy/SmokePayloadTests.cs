using Octokit.Webhooks.Events;
using Orchestrator.GitHub;
using Orchestrator.Storage;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Deploy;

public sealed class SmokePayloadTests
{
    [Fact]
    public void The_smoke_test_ping_reads_as_a_ping_event_so_its_job_completes()
    {
        // A smoke delivery that could not be read would be dead-lettered and fire the dead-letter alarm.
        var payload = File.ReadAllBytes(Path.Combine(TestTools.RepositoryRoot, "deploy", "smoke", "ping.json"));
        var delivery = new WebhookDelivery("smoke-1", "ping", null, 0, DateTimeOffset.UnixEpoch, payload);

        var ping = Assert.IsType<PingEvent>(new WebhookEventReader().Read(delivery));

        Assert.Equal("Deployed, and listening.", ping.Zen);
    }
}
