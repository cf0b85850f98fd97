using Microsoft.Extensions.Options;
using Orchestrator.Configuration;

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
                failures.Add(Settings.Invalid($"{prefix}:Name", "expected \"owner/name\"", repo.Name));
            }

            if (repo.Executors.Count == 0)
            {
                if (repo.Executor.Validate() is { } executor)
                {
                    failures.Add($"{prefix}:{executor}");
                }
            }
            else
            {
                ValidateExecutors(repo, prefix, failures);
            }

            if (repo.BestMinimumTasks < 1)
            {
                failures.Add(Settings.Invalid($"{prefix}:BestMinimumTasks", "expected a positive number", repo.BestMinimumTasks));
            }

            if (repo.Limit is < 1 or > 100)
            {
                failures.Add(Settings.Invalid($"{prefix}:Limit", "expected a number from 1 to 100", repo.Limit));
            }

            // Checked even without a schedule: a typo should not wait for the day a cron is added to surface.
            if (!TimeZoneInfo.TryFindSystemTimeZoneById(repo.Schedule.TimeZone, out _))
            {
                failures.Add(Settings.Invalid($"{prefix}:Schedule:TimeZone", "expected an IANA time zone id such as Europe/Berlin", repo.Schedule.TimeZone));
            }

            if (repo.Schedule.Cron is { } cron)
            {
                if (!Cronos.CronExpression.TryParse(cron, out _))
                {
                    failures.Add(Settings.Invalid($"{prefix}:Schedule:Cron", "expected a 5-field cron expression such as \"0 9 * * 1-5\"", cron));
                }

                if ((repo.Schedule.ChannelId ?? repo.ChannelId) is null)
                {
                    failures.Add($"{prefix}:Schedule:ChannelId is missing: a scheduled plan needs a channel to be posted in (or set {prefix}:ChannelId)");
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateExecutors(RepositoryOptions repo, string prefix, List<string> failures)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var e = 0; e < repo.Executors.Count; e++)
        {
            var executor = repo.Executors[e];
            var path = $"Executors:{e}";
            if (executor.Validate(path) is { } problem)
            {
                failures.Add($"{prefix}:{problem}");
            }

            if (!names.Add(executor.EffectiveName))
            {
                failures.Add(Settings.Invalid($"{prefix}:{path}:Name", "expected a name no other executor of the repository has", executor.EffectiveName));
            }

            foreach (var size in RepositoryOptions.Split(executor.Sizes).Where(s => Routing.ParseSize(s) is null))
            {
                failures.Add(Settings.Invalid($"{prefix}:{path}:Sizes", "expected sizes among S, M and L", size));
            }
        }

        if (repo.Executors.Count(x => x.Default) > 1)
        {
            failures.Add($"{prefix}:Executors: more than one executor says Default=true; keep one");
        }
    }
}
