namespace Orchestrator.Workflow.Planning;

public enum PlanningProvider
{
    /// <summary>No model: the deterministic plan only.</summary>
    None,

    /// <summary>Any server speaking OpenAI's Chat Completions API (OpenAI, Azure OpenAI, Ollama, vLLM, LiteLLM, Bedrock).</summary>
    OpenAICompatible,
}

/// <summary>The optional planning model (Orchestrator:Planning). Off by default; the deterministic plan is the fallback.</summary>
public sealed class PlanningOptions
{
    public const string Section = "Orchestrator:Planning";

    public PlanningProvider Provider { get; set; } = PlanningProvider.None;

    /// <summary>The API's base address, e.g. https://api.openai.com/v1 or http://localhost:11434/v1 (Ollama).</summary>
    public Uri? BaseUrl { get; set; }

    public string? Model { get; set; }

    /// <summary>A secret (Parameter Store on AWS). Servers that need none (a local Ollama) may leave it unset.</summary>
    public string? ApiKey { get; set; }

    /// <summary>How long one request may take; a later answer is ignored and the plan stays deterministic.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How many characters of each issue's body are sent (titles are cut at 200).</summary>
    public int BodyBudget { get; set; } = 1500;

    /// <summary>Dispatch issues the model judged needs_clarification anyway (by default they wait for an answer).</summary>
    public bool DispatchUnclear { get; set; }

    public bool IsEnabled => Provider != PlanningProvider.None;
}
