using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Operations;

/// <summary>The dashboard without GitHub sign-in: only on loopback, read-only, and saying so; and off by default.</summary>
public sealed class DashboardLocalModeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Without_OAuth_it_answers_on_loopback_read_only_and_says_so()
    {
        // Arrange: the service on a loopback port, dashboard on, no OAuth app.
        using var app = new AppFixture(new Dictionary<string, string?> { ["Orchestrator:Dashboard:Enabled"] = "true" });
        app.UseKestrel(0);
        app.StartServer();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var http = new HttpClient { BaseAddress = new Uri(address.Replace("localhost", "127.0.0.1", StringComparison.Ordinal)) };

        // Act
        using var page = await http.GetAsync("/admin/jobs", Ct);
        var html = await page.Content.ReadAsStringAsync(Ct);
        using var retry = await http.PostAsync("/admin/jobs/some-job/retry", new FormUrlEncodedContent([]), Ct);

        // Assert
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Local mode: GitHub sign-in is not configured", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<button", html, StringComparison.Ordinal);
        Assert.Equal("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal(HttpStatusCode.Forbidden, retry.StatusCode);
    }

    [Fact]
    public async Task Without_OAuth_a_request_that_is_not_from_loopback_is_refused()
    {
        // Arrange: the in-memory test server has no remote address, as a request through a proxy would not be loopback.
        using var app = new AppFixture(new Dictionary<string, string?> { ["Orchestrator:Dashboard:Enabled"] = "true" });
        using var client = app.CreateClient();

        // Act
        using var page = await client.GetAsync("/admin", Ct);

        // Assert
        Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
        Assert.Contains("answers only on loopback", await page.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("X-Forwarded-For", "203.0.113.9")]
    [InlineData("X-Forwarded-Proto", "https")]
    [InlineData("Host", "orchestrator.example.com")]
    public async Task Without_OAuth_a_request_relayed_to_loopback_by_a_tunnel_is_refused(string header, string value)
    {
        // Arrange: a tunnel (or the Lambda Web Adapter) connects from loopback too, but relays someone else's request.
        using var app = new AppFixture(new Dictionary<string, string?> { ["Orchestrator:Dashboard:Enabled"] = "true" });
        app.UseKestrel(0);
        app.StartServer();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var http = new HttpClient { BaseAddress = new Uri(address.Replace("localhost", "127.0.0.1", StringComparison.Ordinal)) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/jobs");
        if (header == "Host")
        {
            request.Headers.Host = value;
        }
        else
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        // Act
        using var page = await http.SendAsync(request, Ct);

        // Assert
        Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
        Assert.DoesNotContain("Local mode", await page.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dashboard_is_off_by_default()
    {
        using var app = new AppFixture();
        using var client = app.CreateClient();

        using var page = await client.GetAsync("/admin", Ct);

        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
    }
}
