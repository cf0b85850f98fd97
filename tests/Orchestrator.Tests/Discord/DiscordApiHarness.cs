using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orchestrator.Discord;
using Orchestrator.Tests.Fakes;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Discord;

/// <summary>
/// <see cref="DiscordFake"/> on 127.0.0.1 and an <see cref="IDiscordApi"/> resolved from the real registration
/// (<see cref="DiscordServices.AddDiscord"/>) pointing at it, sharing one skipping clock, with every log line kept.
/// Disposing fails the test if the fake saw a request that does not fit Discord's OpenAPI description.
/// </summary>
public sealed class DiscordApiHarness : IAsyncDisposable
{
    public const string BotToken = "MTEwMDAwMDAwMDAwMDAwMDAwMQ.fake-bot.token-never-logged";
    public const string ApplicationId = "1100000000000000001";
    public const string GuildId = "1200000000000000001";

    private readonly ServiceProvider _services;

    private DiscordApiHarness(DiscordFake fake, SkippingTimeProvider time, IDictionary<string, string?>? settings)
    {
        Fake = fake;
        Time = time;
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Orchestrator:Discord:BotToken"] = BotToken,
                ["Orchestrator:Discord:ApplicationId"] = ApplicationId,
                ["Orchestrator:Discord:ApiBaseUrl"] = fake.BaseAddress.AbsoluteUri,
            })
            .AddInMemoryCollection(settings ?? new Dictionary<string, string?>())
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        services.AddSingleton<TimeProvider>(time);
        services.AddDiscord([]);
        _services = services.BuildServiceProvider();
        Api = _services.GetRequiredService<IDiscordApi>();
    }

    public DiscordFake Fake { get; }

    public SkippingTimeProvider Time { get; }

    public IDiscordApi Api { get; }

    /// <summary>Every log line the client wrote, at any level.</summary>
    public CapturedLogs Logs { get; } = new();

    public static async Task<DiscordApiHarness> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var time = new SkippingTimeProvider(DateTimeOffset.Parse("2026-11-25T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var fake = await DiscordFake.StartAsync(BotToken, ApplicationId, time, TestContext.Current.CancellationToken);
        return new DiscordApiHarness(fake, time, settings);
    }

    /// <summary>Another client over the same registration, for tests that need a second one (e.g. another process).</summary>
    public IDiscordApi NewClient() => _services.GetRequiredService<IDiscordApi>();

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Fake.DisposeAsync();
    }
}
