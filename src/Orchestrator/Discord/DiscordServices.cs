using Microsoft.Extensions.Options;
using Orchestrator.Hosting;

namespace Orchestrator.Discord;

public static class DiscordServices
{
    public static IServiceCollection AddDiscord(this IServiceCollection services)
    {
        services.AddValidatedOptions<DiscordOptions>(DiscordOptions.Section);
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DiscordOptions>>().Value;
            return new InteractionSignature(options.PublicKey, options.ReplayWindow, sp.GetRequiredService<TimeProvider>());
        });
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
