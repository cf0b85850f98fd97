using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Storage;
using Orchestrator.Tests.Drivers;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Operations;

/// <summary>The dashboard's scoreboard page (/admin/stats) over HTTP, in local mode, on <see cref="ScoreboardHistory"/>.</summary>
public sealed partial class DashboardStatsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_scoreboard_page_shows_each_executors_figures_worked_out_by_hand()
    {
        // Arrange
        using var app = await SeededAsync();
        using var http = Client(app);

        // Act
        using var page = await http.GetAsync("/admin/stats?days=30", Ct);
        var html = await page.Content.ReadAsStringAsync(Ct);

        // Assert: the figures of ScoreboardTests
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<h1>Scoreboard</h1>", html, StringComparison.Ordinal);
        Assert.Equal(
            [
                ["claude", "6", "5 (83%)", "1h", "3/4 (75%)", "4 (67%)", "3h 30m", "1 (agent 1)", "3"],
                ["copilot", "4", "3 (75%)", "20m", "1/3 (33%)", "2 (50%)", "2h 5m", "2 (PR closed 1, unrecorded 1)", "1"],
                ["openhands", "2", "1 (50%)", "2h", "1/1 (100%)", "1 (50%)", "6h", "0", "1"],
            ],
            Rows(html));
    }

    [Fact]
    public async Task The_scoreboard_page_narrows_by_size_says_when_nothing_was_dispatched_and_refuses_a_wrong_window()
    {
        // Arrange
        using var app = await SeededAsync();
        using var http = Client(app);

        // Act
        var small = await http.GetStringAsync("/admin/stats?size=S&repo=octo/app", Ct);
        var lastDay = await http.GetStringAsync("/admin/stats?days=1", Ct);
        using var wrong = await http.GetAsync("/admin/stats?days=366", Ct);

        // Assert
        Assert.Equal(["claude", "copilot"], Rows(small).Select(r => r[0]));
        Assert.Equal("5", Rows(small)[0][1]);
        Assert.Contains("href=\"/admin/stats?days=90&amp;repo=octo%2Fapp&amp;size=S\"", small, StringComparison.Ordinal);
        Assert.Equal([["None."]], Rows(lastDay));
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains("days must be a whole number from 1 to 365", await wrong.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    /// <summary>The service on a loopback port with the dashboard on (local mode), the history stored, on 1 December.</summary>
    private static async Task<AppFixture> SeededAsync()
    {
        var settings = new Dictionary<string, string?>(ScoreboardHistory.Settings()) { ["Orchestrator:Dashboard:Enabled"] = "true" };
        var app = new AppFixture(settings, new FakeTimeProvider(ScoreboardHistory.Until));
        app.UseKestrel(0);
        app.StartServer();
        foreach (var run in ScoreboardHistory.Runs())
        {
            await app.Services.GetRequiredService<IRunStore>().CreateAsync(run, Ct);
        }

        return app;
    }

    private static HttpClient Client(AppFixture app)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new HttpClient { BaseAddress = new Uri(address.Replace("localhost", "127.0.0.1", StringComparison.Ordinal)) };
    }

    /// <summary>The cells of the scores table's body, as text.</summary>
    private static List<List<string>> Rows(string html)
    {
        var body = ScoresBody().Match(html).Groups["body"].Value;
        return [.. RowPattern().Matches(body).Select(r => CellPattern().Matches(r.Value).Select(c => WebUtility.HtmlDecode(Tags().Replace(c.Groups["cell"].Value, string.Empty))).ToList())];
    }

    [GeneratedRegex("""<table id="scores">.*?<tbody>(?<body>.*?)</tbody>""", RegexOptions.Singleline)]
    private static partial Regex ScoresBody();

    [GeneratedRegex("<tr>.*?</tr>", RegexOptions.Singleline)]
    private static partial Regex RowPattern();

    [GeneratedRegex("<td[^>]*>(?<cell>.*?)</td>", RegexOptions.Singleline)]
    private static partial Regex CellPattern();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();
}
