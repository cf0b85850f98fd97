using System.Globalization;

namespace Orchestrator.Discord;

/// <summary>
/// Turns the command descriptors into Discord's bulk-overwrite body and compares it with what Discord has.
/// Access is checked by the command table, not by Discord, so default_member_permissions is null (visible to
/// all); contexts limits the commands to guild channels, where the threads and approvers are.
/// </summary>
public static class CommandRegistration
{
    private static readonly IReadOnlyList<InteractionContextType> GuildOnly = [InteractionContextType.Guild];
    private static readonly IReadOnlyList<ApplicationIntegrationType> GuildInstall = [ApplicationIntegrationType.GuildInstall];

    public static IReadOnlyList<ApplicationCommandDefinition> Definitions(IReadOnlyList<CommandDescriptor> commands)
    {
        ArgumentNullException.ThrowIfNull(commands);
        return commands.Select(Define).ToList();
    }

    public static ApplicationCommandDefinition Define(CommandDescriptor command)
    {
        ArgumentNullException.ThrowIfNull(command);
        Check(command.Name, command.Description, $"/{command.Name}");
        foreach (var option in command.Options)
        {
            Check(option.Name, option.Description, $"/{command.Name} {option.Name}");
        }

        return new ApplicationCommandDefinition(command.Name, command.Description)
        {
            Options = command.Options.Count == 0 ? null : command.Options.Select(DefineOption).ToList(),
            DefaultMemberPermissions = null,
            Contexts = GuildOnly,
            IntegrationTypes = GuildInstall,
        };
    }

    /// <summary>What a bulk overwrite with <paramref name="wanted"/> would add, change and remove, in table order then removals.</summary>
    public static IReadOnlyList<CommandChange> Diff(IReadOnlyList<ApplicationCommandDefinition> wanted, IReadOnlyList<RegisteredCommand> registered)
    {
        ArgumentNullException.ThrowIfNull(wanted);
        ArgumentNullException.ThrowIfNull(registered);
        var changes = new List<CommandChange>();
        foreach (var command in wanted)
        {
            var existing = registered.FirstOrDefault(r => r.Type == command.Type && string.Equals(r.Name, command.Name, StringComparison.Ordinal));
            if (existing is null)
            {
                changes.Add(new CommandChange(CommandChangeKind.Add, command.Name, [command.Description]));
                continue;
            }

            var details = Compare(command, existing);
            if (details.Count > 0)
            {
                changes.Add(new CommandChange(CommandChangeKind.Change, command.Name, details));
            }
        }

        foreach (var existing in registered)
        {
            if (!wanted.Any(w => w.Type == existing.Type && string.Equals(w.Name, existing.Name, StringComparison.Ordinal)))
            {
                changes.Add(new CommandChange(CommandChangeKind.Remove, existing.Name, ["not in the command table"]));
            }
        }

        return changes;
    }

    private static ApplicationCommandOptionDefinition DefineOption(CommandOption option) =>
        new(option.Type, option.Name, option.Description)
        {
            Required = option.Required ? true : null,

            // Discord accepts autocomplete only on string, integer and number options.
            Autocomplete = option.Autocomplete && option.Type is CommandOptionType.String or CommandOptionType.Integer ? true : null,
        };

    private static void Check(string name, string description, string what)
    {
        if (name.Length is 0 or > DiscordLimits.CommandName || name.Any(c => char.IsUpper(c) || char.IsWhiteSpace(c)))
        {
            throw new InvalidOperationException($"{what}: a command or option name has 1 to {DiscordLimits.CommandName} lower-case characters without spaces.");
        }

        if (description.Length is 0 or > DiscordLimits.CommandDescription)
        {
            throw new InvalidOperationException($"{what}: the description has {description.Length} characters; Discord takes 1 to {DiscordLimits.CommandDescription}.");
        }
    }

    private static List<string> Compare(ApplicationCommandDefinition wanted, RegisteredCommand existing)
    {
        var details = new List<string>();
        if (!string.Equals(wanted.Description, existing.Description, StringComparison.Ordinal))
        {
            details.Add($"description: \"{existing.Description}\" → \"{wanted.Description}\"");
        }

        if (!string.Equals(wanted.DefaultMemberPermissions, existing.DefaultMemberPermissions, StringComparison.Ordinal))
        {
            details.Add($"default_member_permissions: {existing.DefaultMemberPermissions ?? "null"} → {wanted.DefaultMemberPermissions ?? "null"}");
        }

        // Discord returns null contexts for commands registered before contexts existed: usable everywhere.
        var had = Contexts(existing.Contexts);
        var want = Contexts(wanted.Contexts);
        if (had != want)
        {
            details.Add($"contexts: {had} → {want}");
        }

        var before = existing.Options ?? [];
        var after = wanted.Options ?? [];
        foreach (var option in after)
        {
            var old = before.FirstOrDefault(o => string.Equals(o.Name, option.Name, StringComparison.Ordinal));
            if (old is null)
            {
                details.Add($"option {option.Name}: added ({Describe(option)})");
                continue;
            }

            if (old.Type != option.Type)
            {
                details.Add($"option {option.Name}: type {TypeName(old.Type)} → {TypeName(option.Type)}");
            }

            if (!string.Equals(old.Description, option.Description, StringComparison.Ordinal))
            {
                details.Add($"option {option.Name}: description \"{old.Description}\" → \"{option.Description}\"");
            }

            if ((old.Required ?? false) != (option.Required ?? false))
            {
                details.Add($"option {option.Name}: required {Flag(old.Required)} → {Flag(option.Required)}");
            }

            if ((old.Autocomplete ?? false) != (option.Autocomplete ?? false))
            {
                details.Add($"option {option.Name}: autocomplete {Flag(old.Autocomplete)} → {Flag(option.Autocomplete)}");
            }
        }

        foreach (var option in before)
        {
            if (!after.Any(o => string.Equals(o.Name, option.Name, StringComparison.Ordinal)))
            {
                details.Add($"option {option.Name}: removed");
            }
        }

        // Discord shows options in the order given; required ones must come first.
        var order = after.Select(o => o.Name).Where(n => before.Any(b => b.Name == n)).ToList();
        var oldOrder = before.Select(o => o.Name).Where(n => after.Any(a => a.Name == n)).ToList();
        if (!order.SequenceEqual(oldOrder, StringComparer.Ordinal))
        {
            details.Add($"option order: {string.Join(", ", oldOrder)} → {string.Join(", ", order)}");
        }

        return details;
    }

    private static string Flag(bool? value) => value == true ? "true" : "false";

    private static string Contexts(IReadOnlyList<InteractionContextType>? contexts) =>
        contexts is null
            ? "any"
            : string.Join(", ", contexts.Order().Select(c => c.ToString().ToLowerInvariant()));

    internal static string Describe(ApplicationCommandOptionDefinition option) =>
        TypeName(option.Type) + (option.Required == true ? ", required" : string.Empty) + (option.Autocomplete == true ? ", autocomplete" : string.Empty);

    internal static string TypeName(CommandOptionType type) =>
        Enum.IsDefined(type) ? type.ToString().ToLowerInvariant() : "type " + ((int)type).ToString(CultureInfo.InvariantCulture);
}
