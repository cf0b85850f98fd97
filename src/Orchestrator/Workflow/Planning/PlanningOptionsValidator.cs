using Microsoft.Extensions.Options;
using Orchestrator.Configuration;

namespace Orchestrator.Workflow.Planning;

/// <summary>A provider without its address or model fails at start-up with the setting's name.</summary>
public sealed class PlanningOptionsValidator : IValidateOptions<PlanningOptions>
{
    public ValidateOptionsResult Validate(string? name, PlanningOptions options)
    {
        if (!options.IsEnabled)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        if (options.BaseUrl is not { IsAbsoluteUri: true } url || url.Scheme is not ("http" or "https"))
        {
            failures.Add(Settings.Invalid($"{PlanningOptions.Section}:BaseUrl", "expected an http(s) address such as https://api.openai.com/v1", options.BaseUrl));
        }

        if (string.IsNullOrWhiteSpace(options.Model))
        {
            failures.Add(Settings.Invalid($"{PlanningOptions.Section}:Model", "expected the model's name, e.g. gpt-4.1-mini or llama3.1", options.Model));
        }

        if (options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromMinutes(5))
        {
            failures.Add(Settings.Invalid($"{PlanningOptions.Section}:Timeout", "expected more than 0 and at most 00:05:00", options.Timeout));
        }

        if (options.BodyBudget is < 0 or > 20000)
        {
            failures.Add(Settings.Invalid($"{PlanningOptions.Section}:BodyBudget", "expected a number from 0 to 20000", options.BodyBudget));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
