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
    public const string ApproveCi = "task.approve-ci";
    public const string OpenPullRequest = "task.open-pr";
    public const string Reconcile = "runs.reconcile";
    public const string EnrichPlan = "plan.enrich";
    public const string Ask = "task.ask";

    public static JobRequest For<T>(string kind, string idempotencyKey, T payload, JsonTypeInfo<T> typeInfo, DateTimeOffset? dueAt = null) =>
        new(kind, idempotencyKey, JsonSerializer.Serialize(payload, typeInfo), dueAt);

    /// <summary>True on the job's last attempt: a failure now ends the task or run with its reason instead of a retry.</summary>
    public static bool IsLastAttempt(Job job, Orchestrator.Jobs.JobOptions options) => job.Attempts >= options.MaxAttempts;

    /// <summary>A failure as a user may read it: its kind and GitHub's or Discord's message, never a stack trace.</summary>
    public static string Describe(Exception exception) => exception switch
    {
        GitHub.GitHubNotConfiguredException notConfigured => notConfigured.Message,
        GitHub.GitHubApiException api => $"GitHub answered {(int)api.Status}: {Truncate(api.Message)}",
        Discord.DiscordApiException discord => $"Discord answered {(int?)discord.Status}: {Truncate(discord.DiscordMessage ?? discord.Message)}",
        HttpRequestException http => $"network error: {Truncate(http.Message)}",
        TimeoutException => "timed out",
        _ => exception.GetType().Name,
    };

    /// <summary>Refusals a retry cannot change: GitHub is not configured, or it refused the request itself (missing workflow, bad input, no permission).</summary>
    public static bool IsPermanent(Exception exception) => exception is Orchestrator.Jobs.IPermanentFailure { IsPermanent: true };

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "…";

    /// <summary>Reads a job's payload; a payload that names its run tags the job's span with run.id.</summary>
    public static T Read<T>(Job job, JsonTypeInfo<T> typeInfo)
    {
        T payload;
        try
        {
            payload = JsonSerializer.Deserialize(job.Payload, typeInfo)
                ?? throw new Orchestrator.Jobs.PermanentJobFailureException($"Job {job.Id} has an empty payload.");
        }
        catch (JsonException ex)
        {
            throw new Orchestrator.Jobs.PermanentJobFailureException($"Job {job.Id} has a payload that is not a {typeof(T).Name}: {ex.Message}", ex);
        }

        if (payload is IRunPayload run)
        {
            Telemetry.OrchestratorTracing.Tag("run.id", run.RunId);
        }

        return payload;
    }
}

/// <summary>A job payload about one run.</summary>
public interface IRunPayload
{
    string RunId { get; }
}

public sealed record PlanJob(
    string RunId,
    string Repository,
    string Label,
    int Limit,
    string ChannelId,
    string? GuildId,
    string RequestedBy,
    [property: JsonPropertyName("interaction")] InteractionHandle? Interaction) : IRunPayload;

/// <summary>A job about one run; <see cref="RedrawOnly"/> asks the plan-enrichment job only to redraw the proposal (a changed route), never the model.</summary>
public sealed record RunJob(string RunId, bool RedrawOnly = false) : IRunPayload;

/// <summary>Refresh the run's status message and, optionally, post a notice in its thread.</summary>
public sealed record UpdateJob(string RunId, string? Notice = null, int? ApproveCiIssue = null, int? AskIssue = null) : IRunPayload;

/// <summary>A task of a run (approve its CI, open its agent's pull request for a branch).</summary>
public sealed record TaskJob(string RunId, int Issue, string? Branch = null) : IRunPayload;

/// <summary>One reconciliation round: its interval's start, for the log and the idempotency key.</summary>
public sealed record ReconcileJob(DateTimeOffset Interval);

public sealed record DeployStatusJob(string Repository, InteractionHandle Interaction);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PlanJob))]
[JsonSerializable(typeof(RunJob))]
[JsonSerializable(typeof(UpdateJob))]
[JsonSerializable(typeof(DeployStatusJob))]
[JsonSerializable(typeof(TaskJob))]
[JsonSerializable(typeof(ReconcileJob))]
internal sealed partial class WorkflowJsonContext : JsonSerializerContext;
