using System.Net;
using System.Security.Claims;
using Amazon.DynamoDBv2.Model;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orchestrator.Operations;
using Orchestrator.Storage.DynamoDb;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Operations;

/// <summary>
/// The dashboard on DynamoDB as Lambda runs it: several instances, each started on its own, sharing only the tables.
/// A sign-in cookie one instance wrote must open the pages on another.
/// </summary>
public sealed class DashboardKeyRingTests(DynaliteServer dynalite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_sign_in_cookie_written_by_one_instance_opens_the_pages_on_another()
    {
        // Arrange: two instances on one set of tables; the first signs ada in (what the OAuth handler's sign-in writes).
        var settings = Settings();
        await using var first = new AppFixture(settings);
        await using var second = new AppFixture(settings);
        var admin = new ClaimsIdentity(
            [new Claim(DashboardAuthentication.LoginClaim, "ada"), new Claim(DashboardAuthentication.AdminClaim, "user")],
            DashboardAuthentication.GitHubScheme);
        var ticket = new AuthenticationTicket(new ClaimsPrincipal(admin), DashboardAuthentication.CookieScheme);
        var cookie = first.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(DashboardAuthentication.CookieScheme);
        var value = cookie.TicketDataFormat.Protect(ticket);
        using var client = second.CreateClient(new() { AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, DashboardEndpoints.Root);
        request.Headers.Add("Cookie", $"{cookie.Cookie.Name}={value}");

        // Act
        using var response = await client.SendAsync(request, Ct);

        // Assert: the second instance read the first one's key from the runs table.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("ada", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.IsType<DynamoKeyRing>(second.Services.GetRequiredService<IOptions<KeyManagementOptions>>().Value.XmlRepository);
        using var dynamo = dynalite.CreateClient();
        var keys = await dynamo.QueryAsync(
            new QueryRequest
            {
                TableName = settings["Orchestrator:Storage:DynamoDb:TablePrefix"] + DynamoSchema.Runs.Suffix,
                KeyConditionExpression = "pk = :pk",
                ExpressionAttributeValues = new() { [":pk"] = new AttributeValue(DynamoKeyRing.Partition) },
            },
            Ct);
        Assert.Equal(1, keys.Count);
        Assert.StartsWith("<key ", keys.Items[0]["xml"].S, StringComparison.Ordinal);
    }

    private Dictionary<string, string?> Settings() =>
        new(dynalite.AppSettings())
        {
            ["Orchestrator:Dashboard:Enabled"] = "true",
            ["Orchestrator:Dashboard:ClientId"] = "Iv1.0123456789abcdef",
            ["Orchestrator:Dashboard:ClientSecret"] = "not-a-real-secret",
            ["Orchestrator:Dashboard:AllowedUsers:0"] = "ada",
        };
}
