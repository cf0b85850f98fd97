using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Orchestrator.Cli;
using Orchestrator.Discord;
using Orchestrator.Tests.Discord;
using Orchestrator.Tests.Fakes;
using Orchestrator.Workflow;

namespace Orchestrator.Tests.Cli;

/// <summary><c>Orchestrator commands …</c> in process, configured like the service but pointed at <see cref="DiscordFake"/>.</summary>
public sealed class CommandsCliTests
{
    private const string Token = "cli-bot-token";
    private const string ApplicationId = "1100000000000000001";
    private const string Guild = "1200000000000000001";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Diff_against_an_empty_guild_lists_every_command_to_add()
    {
        // Arrange
        await using var fake = await DiscordFake.StartAsync(Token, ApplicationId, cancellationToken: Ct);

        // Act
        var run = await RunAsync(fake, "commands", "diff", "--guild", Guild);

        // Assert
        Assert.Equal(0, run.ExitCode);
        Assert.Contains($"Command table against commands of application {ApplicationId} in guild {Guild}:", run.Output, StringComparison.Ordinal);
        Assert.All(CommandTable.All, c => Assert.Contains($"+ /{c.Name} ", run.Output, StringComparison.Ordinal));
        Assert.Contains($"{CommandTable.All.Count} to add, 0 to change, 0 to remove.", run.Output, StringComparison.Ordinal);
        Assert.Empty(fake.Commands(Guild));
    }

    [Fact]
    public async Task Sync_registers_the_table_in_the_guild_and_diff_then_finds_it_in_sync()
    {
        // Arrange
        await using var fake = await DiscordFake.StartAsync(Token, ApplicationId, cancellationToken: Ct);

        // Act
        var sync = await RunAsync(fake, "commands", "sync", "--guild", Guild);
        var diff = await RunAsync(fake, "commands", "diff", "-g", Guild);

        // Assert
        Assert.Equal(0, sync.ExitCode);
        Assert.Contains($"Registered {CommandTable.All.Count} commands in guild {Guild}", sync.Output, StringComparison.Ordinal);
        Assert.Equal(CommandTable.All.Select(c => c.Name), fake.Commands(Guild).Select(c => c!["name"]!.GetValue<string>()));
        Assert.Empty(fake.Commands());
        Assert.Equal(0, diff.ExitCode);
        Assert.Contains("in sync", diff.Output, StringComparison.Ordinal);
        Assert.Single(fake.RequestsTo("bulk_set_guild_application_commands"));
    }

    [Fact]
    public async Task Sync_without_a_guild_overwrites_the_global_commands_and_removes_strays()
    {
        // Arrange: a global command that is no longer in the table.
        await using var discord = await DiscordApiHarness.StartAsync();
        await discord.Api.BulkOverwriteGlobalCommandsAsync([new ApplicationCommandDefinition("deploy", "Deploy now.")], Ct);

        // Act
        var diff = await RunAsync(discord.Fake, ["commands", "diff"], DiscordApiHarness.BotToken);
        var sync = await RunAsync(discord.Fake, ["commands", "sync"], DiscordApiHarness.BotToken);

        // Assert
        Assert.Equal(0, diff.ExitCode);
        Assert.Contains("- /deploy", diff.Output, StringComparison.Ordinal);
        Assert.Contains($"{CommandTable.All.Count} to add, 0 to change, 1 to remove.", diff.Output, StringComparison.Ordinal);
        Assert.Contains("Run 'Orchestrator commands sync' to apply.", diff.Output, StringComparison.Ordinal);
        Assert.Equal(0, sync.ExitCode);
        Assert.Contains($"Registered {CommandTable.All.Count} commands globally", sync.Output, StringComparison.Ordinal);
        Assert.Equal(CommandTable.All.Select(c => c.Name), discord.Fake.Commands().Select(c => c!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task List_prints_a_table_of_the_registered_commands_with_their_options()
    {
        // Arrange
        await using var fake = await DiscordFake.StartAsync(Token, ApplicationId, cancellationToken: Ct);
        await RunAsync(fake, "commands", "sync", "--guild", Guild);

        // Act
        var run = await RunAsync(fake, "commands", "list", "--guild", Guild);

        // Assert
        Assert.Equal(0, run.ExitCode);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("NAME", lines[1], StringComparison.Ordinal);
        Assert.Contains("DESCRIPTION", lines[1], StringComparison.Ordinal);
        var help = Assert.Single(lines, l => l.StartsWith("/help ", StringComparison.Ordinal));
        Assert.Contains(CommandTable.Find("help")!.Description, help, StringComparison.Ordinal);
        var withRequired = CommandTable.All.FirstOrDefault(c => c.Options.Any(o => o.Required));
        if (withRequired is not null)
        {
            var option = withRequired.Options.First(o => o.Required);
            var row = Assert.Single(lines, l => l.StartsWith($"/{withRequired.Name} ", StringComparison.Ordinal));
            Assert.Contains($"{option.Name} ({option.Type.ToString().ToLowerInvariant()}, required", row, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_missing_bot_token_fails_with_exit_code_1_and_names_the_setting()
    {
        // Arrange
        await using var fake = await DiscordFake.StartAsync(Token, ApplicationId, cancellationToken: Ct);

        // Act
        var run = await RunAsync(fake, ["commands", "list"], botToken: string.Empty);

        // Assert
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Orchestrator:Discord:BotToken is not set", run.Error, StringComparison.Ordinal);
        Assert.Empty(fake.Requests);
    }

    [Fact]
    public async Task A_Discord_error_fails_with_exit_code_1_and_Discord_code_without_the_token()
    {
        // Arrange
        await using var fake = await DiscordFake.StartAsync(Token, ApplicationId, cancellationToken: Ct);

        // Act
        var run = await RunAsync(fake, ["commands", "sync"], botToken: "a-wrong-token");

        // Assert
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("401", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("a-wrong-token", run.Error + run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("commands")]
    [InlineData("commands", "frobnicate")]
    [InlineData("commands", "list", "--guild", "not-a-guild")]
    [InlineData("commands", "diff", "--guild")]
    public async Task Usage_errors_exit_with_code_2_and_send_nothing(params string[] args)
    {
        // Arrange
        await using var fake = await DiscordFake.StartAsync(Token, ApplicationId, cancellationToken: Ct);

        // Act
        var run = await RunAsync(fake, args);

        // Assert
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--help", run.Error, StringComparison.Ordinal);
        Assert.Empty(fake.Requests);
    }

    [Fact]
    public async Task Help_exits_0_and_names_the_three_commands()
    {
        await using var fake = await DiscordFake.StartAsync(Token, ApplicationId, cancellationToken: Ct);

        var run = await RunAsync(fake, "commands", "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("list", run.Output, StringComparison.Ordinal);
        Assert.Contains("diff", run.Output, StringComparison.Ordinal);
        Assert.Contains("sync", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_executable_runs_the_cli_for_commands_and_exits_with_its_code()
    {
        // Arrange: the real entry point (Program.cs), as an operator runs it.
        var assembly = typeof(OrchestratorCli).Assembly.Location;
        using var process = Process.Start(new ProcessStartInfo("dotnet", [assembly, "commands", "list", "--guild", "x"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
        })!;

        // Act
        var error = await process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);

        // Assert
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("--guild takes a guild id", error, StringComparison.Ordinal);
    }

    private static Task<CliRun> RunAsync(DiscordFake fake, params string[] args) => RunAsync(fake, args, Token);

    private static async Task<CliRun> RunAsync(DiscordFake fake, string[] args, string botToken)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await OrchestratorCli.RunAsync(
            args,
            output,
            error,
            builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Orchestrator:Discord:BotToken"] = botToken,
                ["Orchestrator:Discord:ApplicationId"] = ApplicationId,
                ["Orchestrator:Discord:ApiBaseUrl"] = fake.BaseAddress.AbsoluteUri,
            }),
            Ct);
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }

    private sealed record CliRun(int ExitCode, string Output, string Error);
}
