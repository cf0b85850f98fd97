using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Orchestrator.Health;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Docs;

/// <summary>The first hour as the docs tell it: the README's "Try it" block runs as pasted, and docs/setup.md asks GitHub and Discord for exactly what the service needs.</summary>
public sealed partial class SetupDocsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Root => TestTools.RepositoryRoot;

    [Fact]
    public async Task The_readme_try_it_block_runs_as_pasted()
    {
        // Arrange: the block exactly as the README shows it, run by bash from the repository's root.
        var readme = await File.ReadAllTextAsync(Path.Combine(Root, "README.md"), Ct);
        var section = readme[readme.IndexOf("## Try it from outside", StringComparison.Ordinal)..];
        var block = BashBlock().Match(section).Groups[1].Value;
        var script = Path.Combine(Path.GetTempPath(), $"readme-try-{Guid.NewGuid():N}.sh");
        var data = Path.Combine(Path.GetTempPath(), $"readme-try-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(script, block, Ct);
        var start = new ProcessStartInfo("bash", [script]) { WorkingDirectory = Root, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Orchestrator__Storage__Sqlite__Path"] = Path.Combine(data, "orchestrator.db"); // keep the clone clean
        using var process = Process.Start(start)!;
        try
        {
            // Act
            var output = process.StandardOutput.ReadToEndAsync(Ct);
            var errors = process.StandardError.ReadToEndAsync(Ct);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            limit.CancelAfter(TimeSpan.FromMinutes(5));
            await process.WaitForExitAsync(limit.Token);
            var text = await output;

            // Assert
            Assert.True(process.ExitCode == 0, text + await errors);
            Assert.Contains("{\"type\":1}", text, StringComparison.Ordinal);
            Assert.Matches("""\{"delivery":"[0-9a-f-]{36}","status":"queued"\}""", text);
            Assert.Contains("unsigned: 401", text, StringComparison.Ordinal);
            Assert.Contains("\"status\":\"not ready\"", text, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(Root, "msg")) || File.Exists(Path.Combine(Root, "key.pem")), "the block must not write into the repository");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            File.Delete(script);
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }

    [Fact]
    public async Task The_invite_url_asks_for_exactly_the_bot_permissions_the_guide_names()
    {
        // Discord's permission bits (discord.com/developers/docs/topics/permissions): the six the bot uses.
        var bits = new Dictionary<string, long>
        {
            ["View Channel"] = 1L << 10,
            ["Send Messages"] = 1L << 11,
            ["Embed Links"] = 1L << 14,
            ["Read Message History"] = 1L << 16,
            ["Create Public Threads"] = 1L << 35,
            ["Send Messages in Threads"] = 1L << 38,
        };
        var setup = await File.ReadAllTextAsync(Path.Combine(Root, "docs", "setup.md"), Ct);

        var permissions = long.Parse(InvitePermissions().Match(setup).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(bits.Values.Sum(), permissions);
        Assert.All(bits, b => Assert.Contains($"{b.Key} ({b.Value})", setup, StringComparison.Ordinal));
        Assert.Contains("scope=bot+applications.commands", setup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_app_manifest_and_the_app_url_grant_what_doctor_requires()
    {
        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Root, "deploy", "github-app-manifest.json"), Ct));
        var setup = await File.ReadAllTextAsync(Path.Combine(Root, "docs", "setup.md"), Ct);
        var url = new Uri(AppUrl().Match(setup).Value);
        var query = url.Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2)).ToList();

        var manifestPermissions = manifest.RootElement.GetProperty("default_permissions").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        var manifestEvents = manifest.RootElement.GetProperty("default_events").EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal);
        var urlEvents = query.Where(p => p[0] == "events[]").Select(p => p[1]).Order(StringComparer.Ordinal);

        Assert.Equal(Doctor.AppPermissions.OrderBy(p => p.Key, StringComparer.Ordinal), manifestPermissions.OrderBy(p => p.Key, StringComparer.Ordinal)!);
        Assert.All(Doctor.AppPermissions, p => Assert.Contains([p.Key, p.Value], query));
        Assert.Equal(Doctor.RequiredEvents.Order(StringComparer.Ordinal), manifestEvents);
        Assert.Equal(Doctor.RequiredEvents.Order(StringComparer.Ordinal), urlEvents);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"```bash\n(.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex BashBlock();

    [GeneratedRegex(@"discord\.com/oauth2/authorize\?client_id=APPLICATION_ID&scope=bot\+applications\.commands&permissions=(\d+)")]
    private static partial Regex InvitePermissions();

    [GeneratedRegex(@"https://github\.com/settings/apps/new\?\S+")]
    private static partial Regex AppUrl();
}
