using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Orchestrator.Cli;

namespace Orchestrator.Tests.Hosting;

/// <summary>The executable as a person starts it: a bad setting is one line naming it and exit 1, never a stack trace; --help and --version answer without starting.</summary>
public sealed class StartupErrorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string, string> BadSettings => new()
    {
        { "Orchestrator__Repositories__0__Name", "not a repository", "error: Orchestrator:Repositories:0:Name is invalid: expected \"owner/name\" (got 'not a repository')" },
        { "Orchestrator__Repositories__0__Schedule__Cron", "every day", "error: Orchestrator:Repositories:0:Schedule:Cron is invalid" },
        { "Orchestrator__Repositories__0__Schedule__TimeZone", "Mars/Olympus", "error: Orchestrator:Repositories:0:Schedule:TimeZone is invalid" },
        { "Orchestrator__Repositories__0__Limit", "abc", "error: Orchestrator:Repositories:0:Limit is invalid: expected a whole number (got 'abc')" },
        { "Orchestrator__Repositories__0__Routing", "Bogus", "error: Orchestrator:Repositories:0:Routing is invalid: expected one of Rules, Best (got 'Bogus')" },
        { "Orchestrator__Repositories__0__Executors__0__Kind", "Bogus", "error: Orchestrator:Repositories:0:Executors:0:Kind is invalid: expected one of Workflow, Assign" },
        { "Orchestrator__Repositories__0__Executors__0__Sizes", "XL", "error: Orchestrator:Repositories:0:Executors:0:Sizes is invalid: expected sizes among S, M and L (got 'XL')" },
        { "PORT", "abc", "error: PORT is invalid: expected a port number from 1 to 65535 (got 'abc')" },
        { "PORT", "", "error: PORT is invalid: expected a port number from 1 to 65535 (set but empty)" },
        { "PORT", "70000", "error: PORT is invalid: expected a port number from 1 to 65535 (got '70000')" },
        { "Orchestrator__Discord__PublicKey", new string('a', 62), "error: Orchestrator:Discord:PublicKey is invalid: expected the application's public key from the Developer Portal, 64 hexadecimal characters; this has 62" },
        { "Orchestrator__Worker__Concurrency", "lots", "error: Orchestrator:Worker:Concurrency is invalid: expected a whole number (got 'lots')" },
        { "Orchestrator__Storage__Provider", "Mongo", "error: Orchestrator:Storage:Provider is invalid: expected one of Sqlite, DynamoDb (got 'Mongo')" },
        { "Orchestrator__GitHub__AppPrivateKey", "not a key", "error: Orchestrator:GitHub:AppPrivateKey is invalid: expected a PEM RSA private key" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task A_bad_setting_stops_the_start_with_one_line_naming_it(string variable, string value, string expected)
    {
        // Arrange
        var settings = new Dictionary<string, string> { [variable] = value };
        if (variable.EndsWith("AppPrivateKey", StringComparison.Ordinal))
        {
            settings["Orchestrator__GitHub__AppId"] = "123456";
        }

        if (variable.Contains("Repositories", StringComparison.Ordinal))
        {
            settings.TryAdd("Orchestrator__Repositories__0__Name", "acme/app");
            settings["Orchestrator__Repositories__0__Executor__Workflow"] = "agent.yml";
            settings["Orchestrator__Repositories__0__ChannelId"] = "1";
            if (variable.Contains("Executors", StringComparison.Ordinal))
            {
                settings.TryAdd("Orchestrator__Repositories__0__Executors__0__Kind", "Claude");
            }
        }

        // Act
        var run = await RunAsync([], settings);

        // Assert
        Assert.Equal(1, run.ExitCode);
        var line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.StartsWith(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", run.Error + run.Output, StringComparison.Ordinal);
        if (variable.Contains("Key", StringComparison.Ordinal) && !variable.EndsWith("PublicKey", StringComparison.Ordinal))
        {
            Assert.DoesNotContain(value, run.Error, StringComparison.Ordinal); // a secret's value is never printed
        }
    }

    [Fact]
    public async Task A_port_in_use_stops_the_start_with_one_line()
    {
        // Arrange
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        // Act
        var run = await RunAsync([], new Dictionary<string, string> { ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        // Assert
        Assert.Equal(1, run.ExitCode);
        var line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.Contains($"127.0.0.1:{port}", line, StringComparison.Ordinal);
        Assert.Contains("already in use", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public async Task Help_lists_the_verbs_and_does_not_start_the_service(string argument)
    {
        var run = await RunAsync([argument], []);

        Assert.Equal(0, run.ExitCode);
        Assert.All(["serve", "doctor", "commands", "help"], verb => Assert.Contains($"  {verb} ", run.Output, StringComparison.Ordinal));
        Assert.DoesNotContain("Now listening", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_prints_the_version_and_commit()
    {
        var run = await RunAsync(["--version"], []);

        Assert.Equal(0, run.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+(\+[0-9a-f]{7,40})?\s*$", run.Output);
    }

    private static async Task<Run> RunAsync(string[] args, Dictionary<string, string> environment)
    {
        var assembly = typeof(OrchestratorCli).Assembly.Location;
        var data = Path.Combine(Path.GetTempPath(), $"startup-{Guid.NewGuid():N}");
        var start = new ProcessStartInfo("dotnet", [assembly, .. args])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
        };
        start.Environment["Orchestrator__Storage__Sqlite__Path"] = Path.Combine(data, "o.db");
        start.Environment.Remove("PORT"); // the machine's own PORT must not decide a test
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var error = process.StandardError.ReadToEndAsync(Ct);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        limit.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }

        return new Run(process.ExitCode, await output, await error);
    }

    private sealed record Run(int ExitCode, string Output, string Error);
}
