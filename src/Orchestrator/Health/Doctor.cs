using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;
using Orchestrator.Configuration;
using Orchestrator.Discord;
using Orchestrator.GitHub;
using Orchestrator.Secrets;
using Orchestrator.Storage;
using Orchestrator.Workflow;
using Orchestrator.Workflow.Executors;

namespace Orchestrator.Health;

/// <summary>
/// Checks a setup end to end without changing anything: settings, the store, GitHub (credentials, repositories,
/// executors' targets, the webhook and its recent deliveries) and Discord (bot token, Interactions Endpoint URL,
/// registered commands, channels), and the age of secrets in Parameter Store. Every check has a timeout; a failure is
/// a line with its reason and fix, never an exception.
/// </summary>
public sealed class Doctor(
    IServiceProvider services,
    IConfiguration configuration,
    ConfigurationReport report,
    IStoreAdmin store,
    IGitHubSetupApi github,
    IDiscordApi discord,
    IOptionsMonitor<ServiceOptions> service,
    IOptionsMonitor<GitHubOptions> gitHubOptions,
    IOptionsMonitor<DiscordOptions> discordOptions,
    IOptionsMonitor<WorkflowOptions> workflow,
    ExecutorSet executors,
    TimeProvider time)
{
    /// <summary>
    /// What the loop needs a GitHub App to be granted (deploy/github-app-manifest.json and docs/setup.md say the same; a test
    /// keeps them in step): comment on, label, assign and close issues; open pull requests for Claude's branches; read
    /// checks and statuses; dispatch workflows and approve waiting runs; read branches and their rules.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> AppPermissions = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["actions"] = "write",
        ["checks"] = "read",
        ["contents"] = "read",
        ["issues"] = "write",
        ["metadata"] = "read",
        ["pull_requests"] = "write",
        ["statuses"] = "read",
    };

    private const int RecentDeliveries = 10;

    /// <summary>The events the webhook must send: every event of the event table that GitHub lets one subscribe to.</summary>
    public static IReadOnlyList<string> RequiredEvents { get; } =
        [.. GitHubEventTable.All.Select(r => r.Event).Where(e => e != "ping").Distinct(StringComparer.Ordinal)];

    public async Task<IReadOnlyList<CheckResult>> RunAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var results = new List<CheckResult>();
        var settings = CheckSettings();
        results.AddRange(settings);
        if (settings.Any(r => r.Status == CheckStatus.Failed && r.Name == "valid"))
        {
            return results; // nothing else can be read while a setting is invalid
        }

        results.AddRange(await GuardManyAsync("store", store.Location, timeout, StoreAsync, cancellationToken));
        if (gitHubOptions.CurrentValue.HasApiCredentials)
        {
            results.AddRange(await GuardManyAsync("github", "credentials", timeout, GitHubAsync, cancellationToken));
        }

        var discordSettings = discordOptions.CurrentValue;
        if (!string.IsNullOrWhiteSpace(discordSettings.BotToken) && !string.IsNullOrWhiteSpace(discordSettings.ApplicationId))
        {
            results.AddRange(await GuardManyAsync("discord", "bot token", timeout, DiscordAsync, cancellationToken));
        }

        results.AddRange(Secrets());
        return results;
    }

    private List<CheckResult> CheckSettings()
    {
        var results = new List<CheckResult>();
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
        }
        catch (OptionsValidationException ex)
        {
            return [.. (StartupErrors.Describe(ex) ?? [ex.Message]).Select(p => CheckResult.Fail("settings", "valid", p, "Correct the setting as the line says, then run doctor again."))];
        }

        results.Add(CheckResult.Pass("settings", "valid", "Every setting that is set is valid."));
        foreach (var missing in report.Missing)
        {
            results.Add(CheckResult.Fail("settings", missing.Setting, $"Not set: {missing.Setting}: {missing.Effect}.", "Set what it names (docs/setup.md says where each value comes from)."));
        }

        if (service.CurrentValue.PublicUrl is null)
        {
            results.Add(CheckResult.Fail("settings", "Orchestrator:PublicUrl", "Orchestrator:PublicUrl is missing: doctor cannot check where GitHub and Discord send their requests.", "Set it to the https address Discord and GitHub reach the service at (your tunnel, or the HTTP API's URL)."));
        }
        else if (service.CurrentValue.PublicUrl.Scheme != "https")
        {
            results.Add(CheckResult.Warn("settings", "Orchestrator:PublicUrl", $"Orchestrator:PublicUrl is {service.CurrentValue.PublicUrl}, not https: Discord only calls https endpoints.", "Use the https address of your tunnel or deployment."));
        }

        if (workflow.CurrentValue.Repositories.Count == 0)
        {
            results.Add(CheckResult.Fail("settings", "Orchestrator:Repositories", "No repository is configured: /plan has nothing to plan.", "Add Orchestrator:Repositories:0:Name (owner/name) and its executor."));
        }

        return results;
    }

    private async Task<IEnumerable<CheckResult>> StoreAsync(CancellationToken cancellationToken)
    {
        var problems = await store.VerifyAsync(cancellationToken);
        return problems.Count == 0
            ? [CheckResult.Pass("store", store.Location, $"{store.Location}: opens, schema current, a write round-trips.")]
            : [.. problems.Select(p => CheckResult.Fail("store", store.Location, p, "Fix the store's location or permissions (Orchestrator:Storage:*); the service answers webhooks with 503 until it is usable."))];
    }

    private async Task<IEnumerable<CheckResult>> GitHubAsync(CancellationToken cancellationToken)
    {
        var results = new List<CheckResult>();
        var identity = await github.GetIdentityAsync(cancellationToken);
        results.Add(CheckResult.Pass("github", "credentials", identity.Kind == "app" ? $"Authenticated as the GitHub App {identity.Name}." : $"Authenticated as {identity.Name} with a token."));
        if (identity.Kind == "app")
        {
            results.Add(AppGrants(identity));
        }

        var settings = workflow.CurrentValue;
        foreach (var repository in settings.Repositories)
        {
            results.AddRange(await RepositoryAsync(repository, cancellationToken));
        }

        results.AddRange(await WebhooksAsync(identity, settings, cancellationToken));
        return results;
    }

    private static CheckResult AppGrants(GitHubIdentity identity)
    {
        var missing = AppPermissions
            .Where(p => !identity.Permissions.TryGetValue(p.Key, out var granted) || Level(granted) < Level(p.Value))
            .Select(p => $"{p.Key}: {p.Value}")
            .ToList();
        var events = RequiredEvents.Where(e => !identity.Events.Contains(e, StringComparer.Ordinal)).ToList();
        if (missing.Count == 0 && events.Count == 0)
        {
            return CheckResult.Pass("github", "app permissions", $"The App has the permissions ({string.Join(", ", AppPermissions.Select(p => $"{p.Key}: {p.Value}"))}) and subscribes to every event the service handles.");
        }

        var detail = string.Join("; ", new[]
        {
            missing.Count > 0 ? "it lacks the permissions " + string.Join(", ", missing) : null,
            events.Count > 0 ? "it does not subscribe to " + string.Join(", ", events) : null,
        }.Where(x => x is not null));
        return CheckResult.Fail("github", "app permissions", $"The GitHub App {identity.Name}: {detail}.", "In the App's settings (Permissions & events) grant them, then accept the new permissions on each installation.");
    }

    private static int Level(string level) => level switch
    {
        "read" => 1,
        "write" => 2,
        "admin" => 3,
        _ => 0,
    };

    private async Task<IEnumerable<CheckResult>> RepositoryAsync(RepositoryOptions repository, CancellationToken cancellationToken)
    {
        var name = repository.Name;
        var info = await github.GetRepositoryAsync(name, cancellationToken);
        if (info is null)
        {
            return [CheckResult.Fail("github", name, $"{name} does not exist or the credentials cannot see it.", "Check the name; a fine-grained token or an App installation must include this repository.")];
        }

        var results = new List<CheckResult>
        {
            info.Archived
                ? CheckResult.Warn("github", name, $"{name} is archived: nothing can be dispatched or closed there.", "Unarchive it or remove it from Orchestrator:Repositories.")
                : CheckResult.Pass("github", name, $"{name} is visible (default branch {info.DefaultBranch})."),
        };
        var all = repository.AllExecutors();
        for (var i = 0; i < all.Count; i++)
        {
            results.AddRange(await ExecutorChecksAsync(repository, all[i], repository.Executors.Count == 0 ? "Executor" : $"Executors:{i}", cancellationToken));
        }

        if (repository.Deploy.Workflow is { } deploy)
        {
            results.Add(await github.WorkflowExistsAsync(name, deploy, cancellationToken)
                ? CheckResult.Pass("github", $"{name} deploy", $"The deploy workflow {deploy} exists.")
                : CheckResult.Fail("github", $"{name} deploy", $"The deploy workflow .github/workflows/{deploy} is not in {name}: /ship would fail.", "Commit it, or correct Deploy:Workflow."));
        }

        return results;
    }

    private async Task<IEnumerable<CheckResult>> WebhooksAsync(GitHubIdentity identity, WorkflowOptions settings, CancellationToken cancellationToken)
    {
        var expected = service.CurrentValue.WebhookUrl;
        if (expected is null)
        {
            return [CheckResult.Warn("github", "webhook", "The webhook was not checked: Orchestrator:PublicUrl is not set.", "Set Orchestrator:PublicUrl and run doctor again.")];
        }

        if (identity.Kind == "app")
        {
            var hook = await github.GetAppHookAsync(cancellationToken);
            return hook is null || hook.Url is null
                ? [CheckResult.Fail("github", "webhook", "The GitHub App has no webhook URL.", $"In the App's settings set the webhook URL to {expected} with a secret, and activate it.")]
                : HookResults("the App's webhook", hook, expected, await github.ListHookDeliveriesAsync(null, 0, RecentDeliveries, cancellationToken));
        }

        var results = new List<CheckResult>();
        foreach (var repository in settings.Repositories)
        {
            IReadOnlyList<GitHubHook> hooks;
            try
            {
                hooks = await github.ListHooksAsync(repository.Name, cancellationToken);
            }
            catch (GitHubApiException ex) when (ex.Status is HttpStatusCode.Forbidden or HttpStatusCode.NotFound)
            {
                results.Add(CheckResult.Warn("github", $"{repository.Name} webhook", $"The webhooks of {repository.Name} cannot be read with these credentials (GitHub answered {(int)ex.Status}).", "Give the token the Webhooks: read permission (fine-grained) or admin:repo_hook (classic) so doctor can check them."));
                continue;
            }

            var hook = hooks.FirstOrDefault(h => SameUrl(h.Url, expected));
            if (hook is null)
            {
                var elsewhere = hooks.Where(h => h.Url is not null).Select(h => h.Url!).ToList();
                results.Add(CheckResult.Fail(
                    "github",
                    $"{repository.Name} webhook",
                    elsewhere.Count == 0
                        ? $"{repository.Name} has no webhook."
                        : $"No webhook of {repository.Name} points at {expected}; it has {string.Join(", ", elsewhere)}.",
                    $"Add a webhook (Settings → Webhooks) with payload URL {expected}, content type application/json, the secret of Orchestrator:GitHub:WebhookSecrets, and the events {string.Join(", ", RequiredEvents)}."));
                continue;
            }

            results.AddRange(HookResults($"the webhook of {repository.Name}", hook, expected, await github.ListHookDeliveriesAsync(repository.Name, hook.Id, RecentDeliveries, cancellationToken), repository.Name));
        }

        return results;
    }

    private static IEnumerable<CheckResult> HookResults(string what, GitHubHook hook, Uri expected, IReadOnlyList<GitHubHookDelivery> deliveries, string? repository = null)
    {
        var name = repository is null ? "webhook" : $"{repository} webhook";
        if (!SameUrl(hook.Url, expected))
        {
            yield return CheckResult.Fail("github", name, $"{Capital(what)} points at {hook.Url}, not {expected}.", $"Change its URL to {expected}.");
            yield break;
        }

        var problems = new List<string>();
        if (!hook.Active)
        {
            problems.Add("it is inactive");
        }

        if (!string.Equals(hook.ContentType, "json", StringComparison.Ordinal))
        {
            problems.Add($"its content type is {hook.ContentType ?? "unset"}, not application/json");
        }

        if (!hook.HasSecret)
        {
            problems.Add("it has no secret, so every delivery is refused with 401");
        }

        var missing = hook.Events.Contains("*", StringComparer.Ordinal) ? [] : RequiredEvents.Where(e => !hook.Events.Contains(e, StringComparer.Ordinal)).ToList();
        if (missing.Count > 0)
        {
            problems.Add("it does not send " + string.Join(", ", missing));
        }

        yield return problems.Count == 0
            ? CheckResult.Pass("github", name, $"{Capital(what)} points at {expected}, is active, sends JSON with a secret, and every event the service handles.")
            : CheckResult.Fail("github", name, $"{Capital(what)}: {string.Join("; ", problems)}.", "Edit the webhook: active, content type application/json, the secret of Orchestrator:GitHub:WebhookSecrets, and the events named.");

        var failed = deliveries.Where(d => !d.Succeeded).ToList();
        yield return failed.Count == 0
            ? CheckResult.Pass("github", $"{name} deliveries", deliveries.Count == 0 ? "No delivery yet." : $"The last {deliveries.Count} deliveries succeeded.")
            : CheckResult.Fail(
                "github",
                $"{name} deliveries",
                $"{failed.Count} of the last {deliveries.Count} deliveries failed: {string.Join(", ", failed.Take(5).Select(d => $"{d.Event} {d.Guid} ({(d.StatusCode == 0 ? d.Status : d.StatusCode.ToString(CultureInfo.InvariantCulture))})"))}.",
                "Fix what refused them (see each delivery in the webhook's Recent Deliveries); `deliveries recover` then asks GitHub to redeliver the ones that were lost.");
    }

    private async Task<IEnumerable<CheckResult>> DiscordAsync(CancellationToken cancellationToken)
    {
        var results = new List<CheckResult>();
        var bot = await discord.GetCurrentUserAsync(cancellationToken);
        results.Add(CheckResult.Pass("discord", "bot token", $"The bot token authenticates as {bot.Username}."));

        var application = await discord.GetCurrentApplicationAsync(cancellationToken);
        var expected = service.CurrentValue.InteractionsUrl;
        results.Add(expected is null
            ? CheckResult.Warn("discord", "interactions url", "The Interactions Endpoint URL was not checked: Orchestrator:PublicUrl is not set.", "Set Orchestrator:PublicUrl and run doctor again.")
            : SameUrl(application.InteractionsEndpointUrl, expected)
                ? CheckResult.Pass("discord", "interactions url", $"Discord sends interactions to {expected}.")
                : CheckResult.Fail("discord", "interactions url", application.InteractionsEndpointUrl is null ? "The application has no Interactions Endpoint URL." : $"Discord sends interactions to {application.InteractionsEndpointUrl}, not {expected}.", $"In the Developer Portal (General Information) set the Interactions Endpoint URL to {expected}."));

        var channels = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var repository in workflow.CurrentValue.Repositories)
        {
            foreach (var channel in new[] { repository.ChannelId, repository.Schedule.ChannelId }.OfType<string>().Distinct(StringComparer.Ordinal))
            {
                if (channels.ContainsKey(channel))
                {
                    continue;
                }

                try
                {
                    var seen = await discord.GetChannelAsync(channel, cancellationToken);
                    channels[channel] = seen.GuildId;
                    results.Add(CheckResult.Pass("discord", $"channel {channel}", $"The bot sees the channel {channel}{(seen.Name is null ? string.Empty : " (#" + seen.Name + ")")}."));
                }
                catch (DiscordApiException ex) when (ex.Status is HttpStatusCode.Forbidden or HttpStatusCode.NotFound)
                {
                    channels[channel] = null;
                    results.Add(CheckResult.Fail("discord", $"channel {channel}", $"The bot cannot see the channel {channel} (Discord answered {(int)ex.Status!}: {ex.DiscordMessage}).", "Invite the bot to the server with the invite URL of docs/setup.md and let it view the channel, or correct the channel id."));
                }
            }
        }

        results.Add(await CommandsAsync(channels.Values.OfType<string>().Distinct(StringComparer.Ordinal).ToList(), cancellationToken));
        return results;
    }

    private async Task<CheckResult> CommandsAsync(IReadOnlyList<string> guilds, CancellationToken cancellationToken)
    {
        var wanted = CommandRegistration.Definitions(CommandTable.All);
        var global = CommandRegistration.Diff(wanted, await discord.GetGlobalCommandsAsync(cancellationToken));
        if (global.Count == 0)
        {
            return CheckResult.Pass("discord", "commands", $"The {wanted.Count} slash commands are registered globally and up to date.");
        }

        foreach (var guild in guilds)
        {
            if (CommandRegistration.Diff(wanted, await discord.GetGuildCommandsAsync(guild, cancellationToken)).Count == 0)
            {
                return CheckResult.Pass("discord", "commands", $"The {wanted.Count} slash commands are registered in guild {guild} and up to date.");
            }
        }

        return CheckResult.Fail(
            "discord",
            "commands",
            $"The registered slash commands differ from the command table: {string.Join(", ", global.Take(6).Select(c => $"{c.Kind.ToString().ToLowerInvariant()} /{c.Name}"))}.",
            "Run `commands sync` (or `commands sync --guild <id>` for one server, which updates at once).");
    }

    private IEnumerable<CheckResult> Secrets()
    {
        var options = new SecretsOptions();
        configuration.GetSection(SecretsOptions.Section).Bind(options);
        var provider = (configuration as IConfigurationRoot)?.Providers.OfType<ParameterStoreConfigurationProvider>().FirstOrDefault();
        if (string.IsNullOrEmpty(options.ParameterStorePath) || provider is null)
        {
            yield break; // secrets come from the environment or user secrets: there is no date to check
        }

        var now = time.GetUtcNow();
        var stale = provider.Ages.Where(a => Configuration.Settings.IsSecret(a.Key) && now - a.Value.LastModified > options.RotateAfter).Select(a => a.Value).OrderBy(a => a.LastModified).ToList();
        yield return stale.Count == 0
            ? CheckResult.Pass("secrets", "rotation", $"Every secret under {options.ParameterStorePath} changed within {options.RotateAfter.TotalDays.ToString(CultureInfo.InvariantCulture)} days.")
            : CheckResult.Warn("secrets", "rotation", $"Not rotated for longer than {options.RotateAfter.TotalDays.ToString(CultureInfo.InvariantCulture)} days: {string.Join(", ", stale.Select(a => $"{a.Name} ({(int)(now - a.LastModified).TotalDays} days)"))}.", "Rotate them (deploy/README.md, Rotating secrets); Orchestrator:Secrets:RotateAfter sets the period.");
    }

    private static bool SameUrl(string? actual, Uri expected) =>
        Uri.TryCreate(actual, UriKind.Absolute, out var uri)
        && string.Equals(uri.GetLeftPart(UriPartial.Path).TrimEnd('/'), expected.GetLeftPart(UriPartial.Path).TrimEnd('/'), StringComparison.OrdinalIgnoreCase);

    private static string Capital(string text) => char.ToUpperInvariant(text[0]) + text[1..];

    /// <summary>Runs a group of checks within <paramref name="timeout"/>; a failure or a timeout is one failed line with its reason.</summary>
    private static async Task<IReadOnlyList<CheckResult>> GuardManyAsync(string area, string name, TimeSpan timeout, Func<CancellationToken, Task<IEnumerable<CheckResult>>> check, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            var results = (await check(limit.Token)).ToList();
            return results.Count == 0 ? [CheckResult.Pass(area, name, "Nothing to check.")] : results;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return [CheckResult.Fail(area, name, $"No answer within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s.", "Check the network path to the service named (proxy, firewall, tunnel), or raise --timeout.")];
        }
        catch (Exception ex) when (Reason(ex) is { } reason)
        {
            return [CheckResult.Fail(area, name, reason.Detail, reason.Fix)];
        }
    }

    private static (string Detail, string Fix)? Reason(Exception exception) => exception switch
    {
        GitHubNotConfiguredException e => (e.Message, "Set Orchestrator:GitHub:Token, or AppId and AppPrivateKey."),
        GitHubApiException { Status: HttpStatusCode.Unauthorized } => ("GitHub refused the credentials (401 Bad credentials).", "Create a new token (or App key) as docs/setup.md says and set it; the current one is wrong, expired or revoked."),
        GitHubApiException e => ($"GitHub answered {(int)e.Status}: {e.Message}", "Check the credentials' permissions (docs/setup.md lists them)."),
        DiscordApiException { Status: HttpStatusCode.Unauthorized } => ("Discord refused the bot token (401 Unauthorized).", "Reset the token in the Developer Portal (Bot → Reset Token) and set Orchestrator:Discord:BotToken."),
        DiscordApiException e => ($"Discord answered {(int?)e.Status}: {e.DiscordMessage ?? e.Message}", "Check the bot's permissions and the ids configured."),
        HttpRequestException e => ($"Network error: {e.Message}", "Check that the host is reachable from here (proxy, DNS, firewall)."),
        StoreUnavailableException e => (e.Describe(), "Fix the store's location or permissions."),
        InvalidOperationException e => (e.Message, "Correct the setting the message names."),
        OptionsValidationException e => (string.Join("; ", e.Failures), "Correct the settings named."),
        _ => null,
    };

    /// <summary>What GitHub and the configuration show about one executor of a repository.</summary>
    private async Task<List<CheckResult>> ExecutorChecksAsync(RepositoryOptions repository, ExecutorOptions executor, string setting, CancellationToken cancellationToken)
    {
        var name = repository.Name;
        var check = repository.Executors.Count == 0 ? $"{name} executor" : $"{name} executor {executor.EffectiveName}";
        var checks = new List<CheckResult>();
        switch (executor.Kind)
        {
            case ExecutorKind.Workflow when executor.Workflow is { } file:
                checks.Add(await github.WorkflowExistsAsync(name, file, cancellationToken)
                    ? CheckResult.Pass("github", check, $"The executor's workflow {file} exists.")
                    : CheckResult.Fail("github", check, $"The executor's workflow .github/workflows/{file} is not in {name}.", $"Commit the workflow to the default branch, or correct {setting}:Workflow."));
                break;
            case ExecutorKind.Assign when executor.Assignee is { } login:
                checks.Add(await github.CanBeAssignedAsync(name, login, cancellationToken)
                    ? CheckResult.Pass("github", check, $"{login} can be assigned to issues.")
                    : CheckResult.Fail("github", check, $"{login} cannot be assigned to issues of {name}.", $"Give the account access to the repository (or enable the agent for it), or correct {setting}:Assignee."));
                break;
            default:
                checks.Add(CheckResult.Pass("github", check, $"The {executor.Kind} executor needs nothing GitHub can show in advance."));
                break;
        }

        // What the executor itself says it needs and can see is missing (docs/agents.md covers what only GitHub can tell).
        foreach (var missing in executors.Prerequisites(repository, executor).Where(p => p.State == PrerequisiteState.Missing))
        {
            checks.Add(CheckResult.Fail("github", check, $"The {executor.Kind} executor of {name}: {missing.Description} — this is not set up.", missing.Fix ?? "See docs/agents.md."));
        }

        return checks;
    }
}
