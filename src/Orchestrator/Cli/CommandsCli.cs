using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Options;
using Orchestrator.Discord;
using Orchestrator.Workflow;

namespace Orchestrator.Cli;

/// <summary><c>commands list|diff|sync [--guild ID]</c>: Discord's registered slash commands against <see cref="CommandTable"/>.</summary>
internal static class CommandsCli
{
    public static Command Build(Func<WebApplication> host, TextWriter output)
    {
        var commands = new Command("commands", "Show, compare or register the slash commands of the command table with Discord.");
        commands.Add(Sub("list", "List the commands Discord has registered.", host, output, ListAsync));
        commands.Add(Sub("diff", "Show what sync would add, change or remove.", host, output, DiffAsync));
        commands.Add(Sub("sync", "Register the command table with Discord (bulk overwrite; a guild updates at once).", host, output, SyncAsync));
        return commands;
    }

    private static Command Sub(string name, string description, Func<WebApplication> host, TextWriter output, Func<Scope, IDiscordApi, TextWriter, CancellationToken, Task> run)
    {
        var guild = new Option<string>("--guild", "-g")
        {
            Description = "A guild (server) id: work on that guild's commands instead of the global ones.",
            HelpName = "ID",
        };
        guild.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (value is not null && (value.Length is 0 or > 20 || !value.All(char.IsAsciiDigit)))
            {
                result.AddError($"--guild takes a guild id (a number such as 1100000000000000001), not '{value}'.");
            }
        });

        var command = new Command(name, description) { guild };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            await using var app = host();
            var options = app.Services.GetRequiredService<IOptions<DiscordOptions>>().Value;
            var scope = new Scope(parseResult.GetValue(guild), options.ApplicationId ?? "(not set)");
            await run(scope, app.Services.GetRequiredService<IDiscordApi>(), output, cancellationToken).ConfigureAwait(false);
            return OrchestratorCli.Ok;
        });
        return command;
    }

    private static async Task ListAsync(Scope scope, IDiscordApi api, TextWriter output, CancellationToken cancellationToken)
    {
        var registered = await scope.GetAsync(api, cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync($"{scope.Title} ({registered.Count}):").ConfigureAwait(false);
        if (registered.Count == 0)
        {
            await output.WriteLineAsync("  none").ConfigureAwait(false);
            return;
        }

        var rows = registered
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => (IReadOnlyList<string>)
            [
                "/" + c.Name,
                c.Id,
                c.Options is { Count: > 0 } options ? string.Join(", ", options.Select(o => $"{o.Name} ({CommandRegistration.Describe(o)})")) : "-",
                c.Description,
            ])
            .ToList();
        TextTable.Write(output, ["NAME", "ID", "OPTIONS", "DESCRIPTION"], rows);
    }

    private static async Task DiffAsync(Scope scope, IDiscordApi api, TextWriter output, CancellationToken cancellationToken)
    {
        var changes = CommandRegistration.Diff(CommandRegistration.Definitions(CommandTable.All), await scope.GetAsync(api, cancellationToken).ConfigureAwait(false));
        await WriteDiffAsync(scope, changes, output).ConfigureAwait(false);
        if (changes.Count > 0)
        {
            await output.WriteLineAsync($"Run 'Orchestrator commands sync{scope.Argument}' to apply.").ConfigureAwait(false);
        }
    }

    private static async Task SyncAsync(Scope scope, IDiscordApi api, TextWriter output, CancellationToken cancellationToken)
    {
        var wanted = CommandRegistration.Definitions(CommandTable.All);
        var changes = CommandRegistration.Diff(wanted, await scope.GetAsync(api, cancellationToken).ConfigureAwait(false));
        await WriteDiffAsync(scope, changes, output).ConfigureAwait(false);

        // Overwrite even when in sync: the diff compares the fields we manage, the overwrite sets all of them.
        var registered = scope.GuildId is null
            ? await api.BulkOverwriteGlobalCommandsAsync(wanted, cancellationToken).ConfigureAwait(false)
            : await api.BulkOverwriteGuildCommandsAsync(scope.GuildId, wanted, cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync(scope.GuildId is null
            ? $"Registered {Count(registered.Count)} globally. Clients may take a little while to show changes to global commands."
            : $"Registered {Count(registered.Count)} in guild {scope.GuildId}; they are usable there now.").ConfigureAwait(false);
    }

    private static async Task WriteDiffAsync(Scope scope, IReadOnlyList<CommandChange> changes, TextWriter output)
    {
        await output.WriteLineAsync($"Command table against {scope.Title.ToLowerInvariant()}:").ConfigureAwait(false);
        if (changes.Count == 0)
        {
            await output.WriteLineAsync($"  in sync: all {Count(CommandTable.All.Count)} match.").ConfigureAwait(false);
            return;
        }

        var width = changes.Max(c => c.Name.Length) + 1;
        foreach (var change in changes)
        {
            var mark = change.Kind switch
            {
                CommandChangeKind.Add => '+',
                CommandChangeKind.Remove => '-',
                _ => '~',
            };
            for (var i = 0; i < change.Details.Count; i++)
            {
                var name = i == 0 ? "/" + change.Name : string.Empty;
                await output.WriteLineAsync($"{(i == 0 ? mark : ' ')} {name.PadRight(width)}  {change.Details[i]}").ConfigureAwait(false);
            }
        }

        await output.WriteLineAsync(string.Format(
            CultureInfo.InvariantCulture,
            "{0} to add, {1} to change, {2} to remove.",
            changes.Count(c => c.Kind == CommandChangeKind.Add),
            changes.Count(c => c.Kind == CommandChangeKind.Change),
            changes.Count(c => c.Kind == CommandChangeKind.Remove))).ConfigureAwait(false);
    }

    private static string Count(int n) => n == 1 ? "1 command" : $"{n} commands";

    private sealed record Scope(string? GuildId, string ApplicationId)
    {
        public string Title => GuildId is null
            ? $"Global commands of application {ApplicationId}"
            : $"Commands of application {ApplicationId} in guild {GuildId}";

        public string Argument => GuildId is null ? string.Empty : " --guild " + GuildId;

        public Task<IReadOnlyList<RegisteredCommand>> GetAsync(IDiscordApi api, CancellationToken cancellationToken) =>
            GuildId is null ? api.GetGlobalCommandsAsync(cancellationToken) : api.GetGuildCommandsAsync(GuildId, cancellationToken);
    }
}
