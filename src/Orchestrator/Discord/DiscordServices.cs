using Microsoft.Extensions.Options;
using Orchestrator.Hosting;

namespace Orchestrator.Discord;

public static class DiscordServices
{
    public static IServiceCollection AddDiscord(this IServiceCollection services)
    {
        services.AddValidatedOptions<DiscordOptions>(DiscordOptions.Section);
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
        foreach (var command in CommandTable.All)
        {
            services.AddKeyedScoped(typeof(ISlashCommand), command.Name, command.Handler);
        }

        return services;
    }

    public static IEndpointRouteBuilder MapDiscord(this IEndpointRouteBuilder app)
    {
        app.MapPost("/discord/interactions", InteractionEndpoint.HandleAsync);
        return app;
    }
}
