using Microsoft.Extensions.Options;
using Orchestrator.Configuration;

namespace Orchestrator.Workflow;

/// <summary>
/// Checks every configured repository at start-up, so a typo fails fast with the setting's name. The configuration
/// binder drops a list element it cannot convert (a repository with <c>Routing=Bogus</c> would silently vanish), so
/// each repository and executor section is bound again on its own here, where a bad value names itself.
/// </summary>
public sealed class WorkflowOptionsValidator(IConfiguration? configuration) : IValidateOptions<WorkflowOptions>
{
    public WorkflowOptionsValidator()
        : this(null)
    {
    }

    public ValidateOptionsResult Validate(string? name, WorkflowOptions options)
    {
        var failures = new List<string>();
        if (configuration is not null)
        {
            CheckElements(configuration, failures);
            if (failures.Count > 0)
            {
                // What was bound lacks the element that failed: checking it further would only mislead.
                return ValidateOptionsResult.Fail(failures);
            }
        }

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

    /// <summary>Binds each repository and executor section alone; a value that does not convert becomes one line naming it.</summary>
    private static void CheckElements(IConfiguration configuration, List<string> failures)
    {
        foreach (var repository in configuration.GetSection(WorkflowOptions.Section + ":Repositories").GetChildren())
        {
            Bind(configuration, repository, new RepositoryOptions(), failures);
            foreach (var executor in repository.GetSection(nameof(RepositoryOptions.Executors)).GetChildren())
            {
                Bind(configuration, executor, new ExecutorOptions(), failures);
            }
        }
    }

    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The options types are bound by the same reflection binder at start-up (BindConfiguration).")]
    private static void Bind(IConfiguration configuration, IConfigurationSection section, object target, List<string> failures)
    {
        try
        {
            section.Bind(target);
        }
        catch (InvalidOperationException ex) when (StartupErrors.Describe(ex, configuration) is { } lines)
        {
            failures.AddRange(lines);
        }
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

            if (executor.EffectiveName.Length > Discord.DiscordLimits.SelectText)
            {
                // The name is a select option's label and value, which Discord caps at 100 characters.
                failures.Add(Settings.Invalid($"{prefix}:{path}:Name", $"expected at most {Discord.DiscordLimits.SelectText} characters", executor.EffectiveName));
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
