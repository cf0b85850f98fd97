using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Orchestrator.Storage;

namespace Orchestrator.Workflow;

/// <summary>The jobs of the daily loop: their kinds and payloads. Payloads are JSON; none is ever logged.</summary>
public static class WorkflowJobs
{
    public const string Plan = "plan.create";
    public const string Dispatch = "run.dispatch";
    public const string Update = "run.update";
    public const string Ship = "run.ship";
    public const string Finish = "run.finish";
    public const string DeployStatus = "status.deploys";

    public static JobRequest For<T>(string kind, string idempotencyKey, T payload, JsonTypeInfo<T> typeInfo, DateTimeOffset? dueAt = null) =>
        new(kind, idempotencyKey, JsonSerializer.Serialize(payload, typeInfo), dueAt);

    public static T Read<T>(Job job, JsonTypeInfo<T> typeInfo)
    {
        try
        {
            return JsonSerializer.Deserialize(job.Payload, typeInfo)
                ?? throw new Jobs.PermanentJobFailureException($"Job {job.Id} has an empty payload.");
        }
        catch (JsonException ex)
        {
            throw new Jobs.PermanentJobFailureException($"Job {job.Id} has a payload that is not a {typeof(T).Name}: {ex.Message}", ex);
        }
    }
}

/// <summary>
/// The interaction a job answers: Discord lets us edit the deferred response and send follow-ups with its
/// token for 15 minutes. A class, so the token never shows in a record's ToString().
/// </summary>
public sealed class InteractionHandle
{
    public required string ApplicationId { get; init; }

    public required string Token { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>Discord keeps the token valid for 15 minutes; leave a margin.</summary>
    public bool IsUsable(DateTimeOffset now) => now - ReceivedAt < TimeSpan.FromMinutes(14);
}

public sealed record PlanJob(
    string RunId,
    string Repository,
    string Label,
    int Limit,
    string ChannelId,
    string? GuildId,
    string RequestedBy,
    [property: JsonPropertyName("interaction")] InteractionHandle? Interaction);

public sealed record RunJob(string RunId);

/// <summary>Refresh the run's status message and, optionally, post a notice in its thread.</summary>
public sealed record UpdateJob(string RunId, string? Notice = null);

public sealed record DeployStatusJob(string Repository, InteractionHandle Interaction);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PlanJob))]
[JsonSerializable(typeof(RunJob))]
[JsonSerializable(typeof(UpdateJob))]
[JsonSerializable(typeof(DeployStatusJob))]
internal sealed partial class WorkflowJsonContext : JsonSerializerContext;
