using System.Text.Json;
using Microsoft.Extensions.Options;
using Orchestrator.Http;

namespace Orchestrator.Discord;

/// <summary>POST /discord/interactions: size, signature, parse, then dispatch through the command table.</summary>
public sealed partial class InteractionEndpoint
{
    public static async Task<IResult> HandleAsync(
        HttpContext context,
        InteractionSignature signature,
        InteractionDispatcher dispatcher,
        IOptions<DiscordOptions> options,
        Telemetry.OrchestratorMetrics metrics,
        ILogger<InteractionEndpoint> logger)
    {
        var (body, refusal) = await VerifiedBody.ReadAsync(
            context,
            "discord",
            signature.IsConfigured ? null : "Orchestrator:Discord:PublicKey",
            options.Value.MaxBodyBytes,
            (headers, bytes) => signature.Verify(headers["X-Signature-Ed25519"], headers["X-Signature-Timestamp"], bytes),
            metrics,
            logger);
        if (body is null)
        {
            return refusal!;
        }

        Interaction? interaction;
        try
        {
            interaction = JsonSerializer.Deserialize(body, DiscordJsonContext.Default.Interaction);
        }
        catch (JsonException)
        {
            interaction = null;
        }

        if (interaction is null || !interaction.IsWellFormed())
        {
            return Problems.Of(context, StatusCodes.Status400BadRequest, "Not an interaction", "The signed body is not a valid Discord interaction.");
        }

        var fields = Telemetry.RequestLogFields.Of(context);
        fields.InteractionId = interaction.Id;
        using var scope = logger.BeginScope(fields);
        var response = await dispatcher.DispatchAsync(interaction, context.RequestAborted);
        var name = interaction.Data?.Name ?? interaction.Data?.CustomId;
        fields.Outcome = name is null ? $"{interaction.Type} answered {response.Type}" : $"{interaction.Type} {name} answered {response.Type}";
        Log.Answered(logger, interaction.Id, interaction.Type, name ?? "-", response.Type);
        metrics.InteractionAnswered(interaction.Type.ToString());
        return Results.Json(response, DiscordJsonContext.Default.InteractionResponse);
    }

    private static partial class Log
    {
        // Debug: the request's own line (Orchestrator.Requests) carries the interaction id and this outcome at Information.
        [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "Interaction {InteractionId} of type {InteractionType} ({Name}) answered with {ResponseType}")]
        public static partial void Answered(ILogger logger, string? interactionId, InteractionType interactionType, string name, InteractionResponseType responseType);
    }
}
