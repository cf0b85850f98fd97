using Microsoft.Extensions.Options;

namespace Orchestrator.Workflow;

/// <summary>Checks every configured repository at start-up, so a typo fails fast with the setting's name.</summary>
public sealed class WorkflowOptionsValidator : IValidateOptions<WorkflowOptions>
{
    public ValidateOptionsResult Validate(string? name, WorkflowOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.Repositories.Count; i++)
        {
            var repo = options.Repositories[i];
            var prefix = $"Orchestrator:Repositories:{i}";
            if (!System.Text.RegularExpressions.Regex.IsMatch(repo.Name, @"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$"))
            {
                failures.Add($"{prefix}:Name must be \"owner/name\"");
            }

            if (repo.Executor.Validate() is { } executor)
            {
                failures.Add($"{prefix}:{executor}");
            }

            if (repo.Limit is < 1 or > 100)
            {
                failures.Add($"{prefix}:Limit must be from 1 to 100");
            }

            if (repo.Schedule.Cron is { } cron)
            {
                if (!Cronos.CronExpression.TryParse(cron, out _))
                {
                    failures.Add($"{prefix}:Schedule:Cron is not a valid 5-field cron expression");
                }

                if (!TimeZoneInfo.TryFindSystemTimeZoneById(repo.Schedule.TimeZone, out _))
                {
                    failures.Add($"{prefix}:Schedule:TimeZone is not a known time zone id");
                }

                if ((repo.Schedule.ChannelId ?? repo.ChannelId) is null)
                {
                    failures.Add($"{prefix}:Schedule needs ChannelId (or the repository's ChannelId) to post the plan");
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
