using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.GitHub;
using Orchestrator.Tests.Fakes;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.GitHub;

/// <summary><see cref="IGitHubSetupApi"/> against the OpenAPI-checked <see cref="GitHubFake"/>, as a token and as an App.</summary>
public sealed class GitHubSetupApiTests
{
    private const string Token = "ghp_orchestrator_setup_token";
    private const string Repo = "acme/app";

    private readonly SkippingTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-25T09:00:00Z", CultureInfo.InvariantCulture));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_token_reads_its_user_the_repository_its_workflow_assignees_hooks_and_their_delivery_log()
    {
        // Arrange
        await using var fake = await GitHubFake.StartAsync(_clock, Ct);
        fake.AddToken(Token);
        fake.NameTokenUser(Token, "deploy-bot");
        fake.Repository(Repo).AddWorkflow("agent.yml", "Agent");
        fake.AddAssignable(Repo, "copilot-swe-agent");
        var hook = fake.AddHook(Repo, "http://127.0.0.1:1/github/webhooks", "s3cret", "pull_request", "check_run");
        await fake.DeliverAsync(hook, "ping", """{"zen":"Keep it logically awesome.","hook_id":1}""", cancellationToken: Ct);
        await using var services = Services(fake, ("Token", Token));
        var api = services.GetRequiredService<IGitHubSetupApi>();

        // Act
        var identity = await api.GetIdentityAsync(Ct);
        var repository = await api.GetRepositoryAsync(Repo, Ct);
        var missing = await api.GetRepositoryAsync("acme/nothing", Ct);
        var hooks = await api.ListHooksAsync(Repo, Ct);
        var deliveries = await api.ListHookDeliveriesAsync(Repo, hooks[0].Id, 10, Ct);

        // Assert
        Assert.Equal(("token", "deploy-bot"), (identity.Kind, identity.Name));
        Assert.Equal(Repo, repository!.FullName);
        Assert.Null(missing);
        Assert.True(await api.WorkflowExistsAsync(Repo, "agent.yml", Ct));
        Assert.False(await api.WorkflowExistsAsync(Repo, "deploy.yml", Ct));
        Assert.True(await api.CanBeAssignedAsync(Repo, "copilot-swe-agent", Ct));
        Assert.False(await api.CanBeAssignedAsync(Repo, "stranger", Ct));
        var read = Assert.Single(hooks);
        Assert.Equal(("http://127.0.0.1:1/github/webhooks", true, "json", true), (read.Url, read.Active, read.ContentType, read.HasSecret));
        Assert.Equal(["pull_request", "check_run"], read.Events);
        var delivery = Assert.Single(deliveries);
        Assert.Equal(("ping", 0, false), (delivery.Event, delivery.StatusCode, delivery.Succeeded));
    }

    [Fact]
    public async Task An_app_reads_its_permissions_events_and_its_own_webhook()
    {
        // Arrange
        await using var fake = await GitHubFake.StartAsync(_clock, Ct);
        using var key = RSA.Create(2048);
        fake.RegisterApp(4242, key.ExportSubjectPublicKeyInfoPem());
        var app = fake.App(4242);
        app.Slug = "acme-orchestrator";
        app.Permissions["issues"] = "write";
        app.Events.Add("pull_request");
        fake.AppHook = new FakeHook(0, "https://orchestrator.example/github/webhooks", "s3cret", []);
        await using var services = Services(fake, ("AppId", "4242"), ("AppPrivateKey", key.ExportRSAPrivateKeyPem()));
        var api = services.GetRequiredService<IGitHubSetupApi>();

        // Act
        var identity = await api.GetIdentityAsync(Ct);
        var hook = await api.GetAppHookAsync(Ct);

        // Assert
        Assert.Equal(("app", "acme-orchestrator"), (identity.Kind, identity.Name));
        Assert.Equal("write", identity.Permissions["issues"]);
        Assert.Equal(["pull_request"], identity.Events);
        Assert.Equal(("https://orchestrator.example/github/webhooks", true), (hook!.Url, hook.HasSecret));
        Assert.Equal(["pull_request"], hook.Events);
        Assert.Empty(await api.ListHookDeliveriesAsync(null, 0, 10, Ct));
    }

    private ServiceProvider Services(GitHubFake fake, params (string Key, string Value)[] settings)
    {
        var values = new Dictionary<string, string?> { [$"{GitHubOptions.Section}:ApiBaseUrl"] = fake.BaseAddress.ToString() };
        foreach (var (key, value) in settings)
        {
            values[$"{GitHubOptions.Section}:{key}"] = value;
        }

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        services.AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>));
        services.AddSingleton<TimeProvider>(_clock);
        services.AddGitHub([]);
        return services.BuildServiceProvider();
    }
}
