using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Storage;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Storage.DynamoDb;

/// <summary>The service configured for DynamoDB, on its real pipeline: settings, start-up table creation, endpoints.</summary>
public sealed class DynamoServiceTests(DynaliteServer dynalite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_signed_webhook_is_stored_in_DynamoDB_before_it_is_acknowledged_and_a_redelivery_is_acknowledged_as_duplicate()
    {
        // Arrange
        await using var app = new AppFixture(dynalite.AppSettings());
        using var client = app.CreateClient();
        var body = Encoding.UTF8.GetBytes("""{"action":"labeled","issue":{"number":1,"title":"Ready"}}"""); // issues.labeled has a route: it gets a job

        // Act
        using var first = app.GitHubRequest("issues", body, "dynamo-delivery-1");
        using var accepted = await client.SendAsync(first, Ct);
        using var again = app.GitHubRequest("issues", body, "dynamo-delivery-1");
        using var duplicate = await client.SendAsync(again, Ct);

        // Assert
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, duplicate.StatusCode);
        Assert.Contains("duplicate", await duplicate.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        var stored = await app.Services.GetRequiredService<IWebhookInbox>().GetAsync("dynamo-delivery-1", Ct);
        Assert.Equal(body, stored?.Payload);
        Assert.Equal(1, (await app.Services.GetRequiredService<IJobQueue>().GetStatsAsync(Ct)).Pending);
    }

    [Fact]
    public async Task The_service_is_ready_once_it_has_created_its_tables()
    {
        // Arrange
        await using var app = new AppFixture(dynalite.AppSettings());
        using var client = app.CreateClient();

        // Act
        using var response = await client.GetAsync(new Uri("/readyz", UriKind.Relative), Ct);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
