using System.Globalization;
using Amazon.SimpleSystemsManagement;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Secrets;

namespace Orchestrator.Tests.Secrets;

public sealed class ParameterStoreConfigurationProviderTests
{
    private const string Path = "/orchestrator/test/";
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-25T09:00:00Z", CultureInfo.InvariantCulture));
    private readonly IAmazonSimpleSystemsManagement _client;
    private readonly FakeParameterStore _store;
    private readonly TaskCompletionSource<Exception> _reloadFailed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ParameterStoreConfigurationProviderTests() => (_client, _store) = FakeParameterStore.Create();

    [Fact]
    public void Every_parameter_under_the_path_becomes_a_setting_across_pages()
    {
        // Arrange: 23 parameters (three pages of at most 10) and one outside the path.
        for (var i = 0; i < 21; i++)
        {
            _store.Parameters[$"/orchestrator/test/Extra/Key{i:D2}"] = $"v{i}";
        }

        _store.Parameters["/orchestrator/test/Discord/PublicKey"] = "ab12";
        _store.Parameters["/orchestrator/test/Storage/DynamoDb/TablePrefix"] = "orchestrator-test-";
        _store.Parameters["/orchestrator/prod/Discord/PublicKey"] = "not ours";

        // Act
        var configuration = Build();

        // Assert
        Assert.Equal("ab12", configuration["Orchestrator:Discord:PublicKey"]);
        Assert.Equal("orchestrator-test-", configuration["Orchestrator:Storage:DynamoDb:TablePrefix"]);
        Assert.Equal("v20", configuration["Orchestrator:Extra:Key20"]);
        Assert.Equal(23, configuration.AsEnumerable().Count(pair => pair.Value is not null));
        Assert.Equal([null, "10", "20"], _store.Requests.Select(r => r.NextToken));
        Assert.All(_store.Requests, r =>
        {
            Assert.Equal("/orchestrator/test", r.Path);
            Assert.True(r.WithDecryption, "SecureString values must be requested decrypted");
            Assert.True(r.Recursive, "nested paths such as Storage/DynamoDb/... must be read");
            Assert.Equal(ParameterStoreConfigurationProvider.PageSize, r.MaxResults);
        });
    }

    [Theory]
    [InlineData("/orchestrator/prod/", "/orchestrator/prod/Discord/PublicKey", "Orchestrator:Discord:PublicKey")]
    [InlineData("/orchestrator/prod", "/orchestrator/prod/GitHub/WebhookSecrets", "Orchestrator:GitHub:WebhookSecrets")]
    [InlineData("orchestrator/prod", "/orchestrator/prod/Storage/DynamoDb/TablePrefix", "Orchestrator:Storage:DynamoDb:TablePrefix")]
    [InlineData("/orchestrator/prod/", "/orchestrator/production/Discord/PublicKey", null)]
    [InlineData("/orchestrator/prod/", "/orchestrator/prod", null)]
    [InlineData("/", "/Discord/BotToken", "Orchestrator:Discord:BotToken")]
    public void Parameter_names_map_to_configuration_keys(string path, string name, string? key)
    {
        Assert.Equal(key, ParameterStoreConfigurationProvider.ToConfigurationKey(path, name));
    }

    [Fact]
    public async Task A_rotated_value_is_read_at_the_next_reload_and_signals_a_change()
    {
        // Arrange
        _store.Parameters["/orchestrator/test/GitHub/WebhookSecrets"] = "old";
        var configuration = Build();
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = ChangeToken.OnChange(configuration.GetReloadToken, () => changed.TrySetResult());
        _store.Parameters["/orchestrator/test/GitHub/WebhookSecrets"] = "new,old";

        // Act
        _clock.Advance(TimeSpan.FromMinutes(4));
        var early = configuration["Orchestrator:GitHub:WebhookSecrets"];
        _clock.Advance(TimeSpan.FromMinutes(1));
        await changed.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal("old", early);
        Assert.Equal("new,old", configuration["Orchestrator:GitHub:WebhookSecrets"]);
        Assert.Equal(2, _store.Requests.Count);
    }

    [Fact]
    public async Task A_failed_reload_keeps_the_last_good_values()
    {
        _store.Parameters["/orchestrator/test/Discord/BotToken"] = "token-1";
        var configuration = Build();
        _store.Failure = new AmazonSimpleSystemsManagementException("Rate exceeded");

        _clock.Advance(TimeSpan.FromMinutes(5));
        var failure = await _reloadFailed.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal("Rate exceeded", failure.Message);
        Assert.Equal("token-1", configuration["Orchestrator:Discord:BotToken"]);
    }

    [Fact]
    public void A_first_load_that_fails_stops_the_start()
    {
        _store.Failure = new AmazonSimpleSystemsManagementException("User is not authorized to perform: ssm:GetParametersByPath");

        var error = Assert.Throws<AmazonSimpleSystemsManagementException>(() => Build());

        Assert.Contains("not authorized", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_source_is_added_only_when_a_path_is_configured()
    {
        var without = new ConfigurationManager();
        without.AddParameterStore();
        Assert.DoesNotContain(without.Sources, s => s is ParameterStoreConfigurationSource);

        var with = new ConfigurationManager();
        with.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Orchestrator:Secrets:ParameterStorePath"] = "/orchestrator/dev/",
            ["Orchestrator:Secrets:ReloadInterval"] = "00:02:00",
        });

        // Adding a source to a ConfigurationManager loads it at once, which needs AWS: build the source only.
        var options = new SecretsOptions();
        with.GetSection(SecretsOptions.Section).Bind(options);
        Assert.Equal("/orchestrator/dev/", options.ParameterStorePath);
        Assert.Equal(TimeSpan.FromMinutes(2), options.ReloadInterval);
    }

    private IConfigurationRoot Build() =>
        new ConfigurationBuilder()
            .Add(new ParameterStoreConfigurationSource
            {
                Path = Path,
                ClientFactory = () => _client,
                ReloadInterval = TimeSpan.FromMinutes(5),
                TimeProvider = _clock,
                OnReloadFailed = ex => _reloadFailed.TrySetResult(ex),
            })
            .Build();
}
