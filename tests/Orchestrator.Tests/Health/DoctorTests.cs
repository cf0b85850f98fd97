using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using NSec.Cryptography;
using Orchestrator.Cli;
using Orchestrator.Discord;
using Orchestrator.Health;
using Orchestrator.Tests.Fakes;
using Orchestrator.Workflow;

namespace Orchestrator.Tests.Health;

/// <summary>
/// <c>doctor</c> in process, configured like the service and pointed at the OpenAPI-checked GitHub and Discord fakes: a
/// correct setup passes every check; each fault a team really makes fails the check that names it, with exit 1.
/// </summary>
public sealed class DoctorTests : IAsyncLifetime
{
    private const string Repo = "acme/app";
    private const string GitHubToken = "ghp_doctor_token";
    private const string BotToken = "doctor-bot-token";
    private const string ApplicationId = "1100000000000000001";
    private const string PublicUrl = "https://orchestrator.example.com";
    private const string WebhookUrl = PublicUrl + "/github/webhooks";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "orchestrator-doctor-" + Guid.NewGuid().ToString("N"));
    private GitHubFake _github = null!;
    private DiscordFake _discord = null!;
    private string _channel = null!;
    private FakeHook _hook = null!;
    private string _storePath = null!;

    public enum Fault
    {
        HookMissing,
        HookPointsElsewhere,
        HookLacksCheckRun,
        HookInactive,
        RecentDeliveriesFailed,
        TokenUnauthorised,
        InteractionsUrlDifferent,
        CommandsOutOfDate,
        ChannelNotVisible,
        StoreNotWritable,
        ExecutorWorkflowMissing,
        NamedExecutorWorkflowMissing,
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _storePath = Path.Combine(_dataDirectory, "orchestrator.db");
        _github = await GitHubFake.StartAsync(cancellationToken: Ct);
        _github.AddToken(GitHubToken);
        var repository = _github.Repository(Repo);
        repository.AddWorkflow("agent.yml", "Agent");
        repository.AddWorkflow("deploy.yml", "Deploy");
        _hook = _github.AddHook(Repo, WebhookUrl, "webhook-secret", [.. Doctor.RequiredEvents]);

        _discord = await DiscordFake.StartAsync(BotToken, ApplicationId, cancellationToken: Ct);
        _channel = _discord.AddChannel();
        _discord.InteractionsEndpointUrl = PublicUrl + "/discord/interactions";
        await RegisterCommandsAsync(CommandTable.All);
    }

    public async ValueTask DisposeAsync()
    {
        await _github.DisposeAsync();
        await _discord.DisposeAsync();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task A_correct_setup_passes_every_check()
    {
        // Act
        var run = await RunAsync("doctor");
        var json = await RunAsync("doctor", "--json");

        // Assert
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.DoesNotContain("✗", run.Output, StringComparison.Ordinal);
        Assert.Contains("✓ Authenticated as octocat with a token.", run.Output, StringComparison.Ordinal);
        Assert.Contains($"✓ The webhook of {Repo} points at {WebhookUrl}", run.Output, StringComparison.Ordinal);
        Assert.Contains($"The {CommandTable.All.Count} slash commands are registered globally and up to date.", run.Output, StringComparison.Ordinal);
        Assert.Matches(@"0 failed, 0 warning\(s\), \d+ passed\.", run.Output);
        using var report = JsonDocument.Parse(json.Output);
        Assert.True(report.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal(0, json.ExitCode);
        Assert.Equal(
            ["settings", "store", "github", "discord"],
            report.RootElement.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("area").GetString()).Distinct());
    }

    [Theory]
    [InlineData(Fault.HookMissing, "acme/nohooks webhook", "acme/nohooks has no webhook.")]
    [InlineData(Fault.HookPointsElsewhere, $"{Repo} webhook", "No webhook of acme/app points at https://orchestrator.example.com/github/webhooks; it has https://old-tunnel.example.net/github/webhooks.")]
    [InlineData(Fault.HookLacksCheckRun, $"{Repo} webhook", "it does not send check_run")]
    [InlineData(Fault.HookInactive, $"{Repo} webhook", "it is inactive")]
    [InlineData(Fault.RecentDeliveriesFailed, $"{Repo} webhook deliveries", "2 of the last 3 deliveries failed")]
    [InlineData(Fault.TokenUnauthorised, "credentials", "GitHub refused the credentials (401 Bad credentials).")]
    [InlineData(Fault.InteractionsUrlDifferent, "interactions url", "Discord sends interactions to https://old-tunnel.example.net/discord/interactions, not https://orchestrator.example.com/discord/interactions.")]
    [InlineData(Fault.CommandsOutOfDate, "commands", "The registered slash commands differ from the command table: add /")]
    [InlineData(Fault.ChannelNotVisible, "channel", "The bot cannot see the channel")]
    [InlineData(Fault.StoreNotWritable, "SQLite", "cannot be used")]
    [InlineData(Fault.ExecutorWorkflowMissing, $"{Repo} executor", "The executor's workflow .github/workflows/missing.yml is not in acme/app.")]
    [InlineData(Fault.NamedExecutorWorkflowMissing, $"{Repo} executor nightly", "The executor's workflow .github/workflows/missing.yml is not in acme/app.")]
    public async Task Each_fault_fails_the_check_that_names_it(Fault fault, string check, string detail)
    {
        // Arrange
        var settings = new Dictionary<string, string?>();
        switch (fault)
        {
            case Fault.HookMissing:
                settings["Orchestrator:Repositories:0:Name"] = "acme/nohooks";
                _github.Repository("acme/nohooks").AddWorkflow("agent.yml", "Agent");
                _github.Repository("acme/nohooks").AddWorkflow("deploy.yml", "Deploy");
                break;
            case Fault.HookPointsElsewhere:
                _hook.Url = "https://old-tunnel.example.net/github/webhooks";
                break;
            case Fault.HookLacksCheckRun:
                _hook.Events = [.. _hook.Events.Where(e => e != "check_run")];
                break;
            case Fault.HookInactive:
                _hook.Active = false;
                break;
            case Fault.RecentDeliveriesFailed:
                // GitHub could not reach the service for two deliveries (nothing listens on port 1), then one succeeded.
                var down = _github.AddHook("acme/other", "http://127.0.0.1:1/github/webhooks", "s", "ping");
                _hook.Url = down.Url;
                await _github.DeliverAsync(_hook, "pull_request", """{"action":"closed","number":1}""", cancellationToken: Ct);
                await _github.DeliverAsync(_hook, "check_run", """{"action":"completed"}""", cancellationToken: Ct);
                _hook.Url = WebhookUrl;
                _hook.Deliveries.Add(new FakeHookDelivery(99, Guid.NewGuid().ToString(), DateTimeOffset.UtcNow, false, "ping", null, "{}") { StatusCode = 200, Status = "OK" });
                break;
            case Fault.TokenUnauthorised:
                settings["Orchestrator:GitHub:Token"] = "ghp_revoked";
                break;
            case Fault.InteractionsUrlDifferent:
                _discord.InteractionsEndpointUrl = "https://old-tunnel.example.net/discord/interactions";
                break;
            case Fault.CommandsOutOfDate:
                await RegisterCommandsAsync([.. CommandTable.All.Where(c => c.Name != "ship")]);
                break;
            case Fault.ChannelNotVisible:
                _discord.HideChannel(_channel);
                break;
            case Fault.StoreNotWritable:
                Directory.CreateDirectory(_storePath); // a folder where the database file should be
                break;
            case Fault.ExecutorWorkflowMissing:
                settings["Orchestrator:Repositories:0:Executor:Workflow"] = "missing.yml";
                break;
            case Fault.NamedExecutorWorkflowMissing:
                // Every executor of a routed repository is checked, each under its own name.
                settings["Orchestrator:Repositories:0:Executors:0:Name"] = "agent";
                settings["Orchestrator:Repositories:0:Executors:0:Workflow"] = "agent.yml";
                settings["Orchestrator:Repositories:0:Executors:1:Name"] = "nightly";
                settings["Orchestrator:Repositories:0:Executors:1:Workflow"] = "missing.yml";
                break;
        }

        // Act
        var run = await RunAsync(settings, "doctor", "--json");

        // Assert
        Assert.Equal(1, run.ExitCode);
        using var report = JsonDocument.Parse(run.Output);
        var failed = report.RootElement.GetProperty("checks").EnumerateArray()
            .Where(c => c.GetProperty("status").GetString() == "failed")
            .Select(c => (Name: c.GetProperty("name").GetString()!, Detail: c.GetProperty("detail").GetString()!, Fix: c.GetProperty("fix").GetString()))
            .ToList();
        var named = Assert.Single(failed, c => c.Name.Contains(check, StringComparison.Ordinal));
        Assert.Contains(detail, named.Detail, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(named.Fix));
    }

    [Fact]
    public async Task An_app_without_a_permission_fails_with_the_permission_named()
    {
        // Arrange
        using var key = RSA.Create(2048);
        _github.RegisterApp(4242, key.ExportSubjectPublicKeyInfoPem());
        _github.AddInstallation(77, 4242, Repo);
        var app = _github.App(4242);
        foreach (var (name, level) in Doctor.AppPermissions.Where(p => p.Key != "actions"))
        {
            app.Permissions[name] = level;
        }

        app.Permissions["actions"] = "read"; // dispatching workflows needs write
        app.Events.AddRange(Doctor.RequiredEvents);
        _github.AppHook = new FakeHook(0, WebhookUrl, "webhook-secret", []);
        var settings = new Dictionary<string, string?>
        {
            ["Orchestrator:GitHub:Token"] = null,
            ["Orchestrator:GitHub:AppId"] = "4242",
            ["Orchestrator:GitHub:AppPrivateKey"] = key.ExportRSAPrivateKeyPem(),
        };

        // Act
        var run = await RunAsync(settings, "doctor");

        // Assert
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("✓ Authenticated as the GitHub App orchestrator-test.", run.Output, StringComparison.Ordinal);
        Assert.Contains("✗ The GitHub App orchestrator-test: it lacks the permissions actions: write.", run.Output, StringComparison.Ordinal);
        Assert.Contains("✓ The App's webhook points at https://orchestrator.example.com/github/webhooks", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_changes_nothing_it_checks()
    {
        // Act
        await RunAsync("doctor");

        // Assert: only reads reached GitHub and Discord (every fake operation it used is a GET).
        Assert.All(_github.Requests, r => Assert.Equal("GET", r.Method));
        Assert.All(_discord.Requests.Skip(1), r => Assert.Equal("GET", r.Method)); // the first is the test's own registration
    }

    private async Task RegisterCommandsAsync(IReadOnlyList<CommandDescriptor> commands)
    {
        using var http = new HttpClient { BaseAddress = _discord.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Put, $"applications/{ApplicationId}/commands")
        {
            Content = new StringContent(JsonSerializer.Serialize(CommandRegistration.Definitions(commands), DiscordJsonContext.Default.IReadOnlyListApplicationCommandDefinition), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", "Bot " + BotToken);
        using var response = await http.SendAsync(request, Ct);
        response.EnsureSuccessStatusCode();
    }

    private Task<CliRun> RunAsync(params string[] args) => RunAsync(new Dictionary<string, string?>(), args);

    private async Task<CliRun> RunAsync(Dictionary<string, string?> overrides, params string[] args)
    {
        using var publicKey = Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        var settings = new Dictionary<string, string?>
        {
            ["Orchestrator:PublicUrl"] = PublicUrl,
            ["Orchestrator:Storage:Sqlite:Path"] = _storePath,
            ["Orchestrator:GitHub:ApiBaseUrl"] = _github.BaseAddress.AbsoluteUri,
            ["Orchestrator:GitHub:Token"] = GitHubToken,
            ["Orchestrator:GitHub:WebhookSecrets"] = "webhook-secret",
            ["Orchestrator:Discord:ApiBaseUrl"] = _discord.BaseAddress.AbsoluteUri,
            ["Orchestrator:Discord:BotToken"] = BotToken,
            ["Orchestrator:Discord:ApplicationId"] = ApplicationId,
            ["Orchestrator:Discord:PublicKey"] = Convert.ToHexStringLower(publicKey.PublicKey.Export(KeyBlobFormat.RawPublicKey)),
            ["Orchestrator:Repositories:0:Name"] = Repo,
            ["Orchestrator:Repositories:0:ChannelId"] = _channel,
            ["Orchestrator:Repositories:0:Executor:Kind"] = "Workflow",
            ["Orchestrator:Repositories:0:Executor:Workflow"] = "agent.yml",
            ["Orchestrator:Repositories:0:Deploy:Workflow"] = "deploy.yml",
            ["Orchestrator:Worker:Hosted"] = "false",
        };
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        var exitCode = await OrchestratorCli.RunAsync(args, output, error, builder => builder.Configuration.AddInMemoryCollection(settings), Ct);
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }

    private sealed record CliRun(int ExitCode, string Output, string Error);
}
