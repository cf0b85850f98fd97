using System.Reflection;
using Microsoft.Extensions.Options;
using Orchestrator.Configuration;

namespace Orchestrator.Discord;

public static class DiscordServices
{
    /// <summary>
    /// The Discord adapter: signature, interaction endpoint, REST client, and dispatch to the product's
    /// <paramref name="commands"/>, whose handlers are registered here by name. The product also registers an
    /// <see cref="ICommandGate"/> (its access rule).
    /// </summary>
    public static IServiceCollection AddDiscord(this IServiceCollection services, IReadOnlyList<CommandDescriptor> commands)
    {
        services.AddSingleton(new CommandCatalog(commands));
        services.AddValidatedOptions<DiscordOptions>(DiscordOptions.Section);
        services.AddSingleton<IValidateOptions<DiscordOptions>, DiscordOptionsValidator>();
        // Rebuilt when the public key changes (Parameter Store reload), so a new key needs no restart.
        services.AddSingleton(sp =>
        {
            var time = sp.GetRequiredService<TimeProvider>();
            return Reloadable.From(
                sp.GetRequiredService<IOptionsMonitor<DiscordOptions>>(),
                o => new InteractionSignature(o.PublicKey, o.ReplayWindow, time));
        });
        services.AddTransient(sp => sp.GetRequiredService<Reloadable<InteractionSignature>>().Current);
        services.AddScoped<InteractionDispatcher>();
        services.AddSingleton<DiscordRateLimits>();
        services.AddHttpClient<IDiscordApi, DiscordRestClient>((sp, client) =>
            {
                var options = sp.GetRequiredService<IOptions<DiscordOptions>>().Value;
                client.BaseAddress = WithTrailingSlash(options.ApiBaseUrl);
                client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", UserAgent(options.UserAgentUrl));
                client.Timeout = TimeSpan.FromSeconds(30);
            })
            // The default HttpClient logging writes full URIs, and interaction tokens are part of the path; the
            // client logs its own lines with the token redacted.
            .RemoveAllLoggers();
        foreach (var command in commands)
        {
            services.AddKeyedScoped(typeof(ICommandHandler), command.Name, command.Handler);
        }

        return services;
    }

    /// <summary>Discord requires "DiscordBot ($url, $versionNumber)".</summary>
    internal static string UserAgent(Uri url)
    {
        var version = typeof(DiscordServices).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return $"DiscordBot ({url.AbsoluteUri.TrimEnd('/')}, {(plus < 0 ? version : version[..plus])})";
    }

    private static Uri WithTrailingSlash(Uri uri) => uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");

    public static IEndpointRouteBuilder MapDiscord(this IEndpointRouteBuilder app)
    {
        app.MapPost("/discord/interactions", InteractionEndpoint.HandleAsync);
        return app;
    }
}
