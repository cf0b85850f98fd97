using System.Text.Json;
using Orchestrator.Discord;
using Orchestrator.Tests.Fakes;
using Orchestrator.Workflow;
using Orchestrator.Workflow.Commands;

namespace Orchestrator.Tests.Discord;

public sealed class CommandRegistrationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void The_command_json_fits_the_bulk_overwrite_request_schema()
    {
        // Arrange
        var document = OpenApiDocument.Discord();
        var operation = document.Operation("PUT", "/applications/{application_id}/commands")!;
        var schema = operation.Element.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        var json = JsonSerializer.SerializeToElement(CommandRegistration.Definitions(CommandTable.All), DiscordJsonContext.Default.IReadOnlyListApplicationCommandDefinition);

        // Act
        var errors = new OpenApiValidator(document).CheckValue(schema, json);

        // Assert
        Assert.Empty(errors);
        Assert.Equal(CommandTable.All.Count, json.GetArrayLength());
        Assert.All(json.EnumerateArray(), command =>
        {
            Assert.Equal(JsonValueKind.Null, command.GetProperty("default_member_permissions").ValueKind);
            Assert.Equal("[0]", command.GetProperty("contexts").GetRawText());
            Assert.Equal(1, command.GetProperty("type").GetInt32());
        });
    }

    [Fact]
    public void The_schema_check_catches_a_description_over_100_characters()
    {
        // Arrange: the same check as above, on a body that is wrong on purpose, shows the check has teeth.
        var document = OpenApiDocument.Discord();
        var schema = document.Operation("PUT", "/applications/{application_id}/commands")!.Element
            .GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        IReadOnlyList<ApplicationCommandDefinition> tooLong = [new("plan", new string('d', 101))];
        var json = JsonSerializer.SerializeToElement(tooLong, DiscordJsonContext.Default.IReadOnlyListApplicationCommandDefinition);

        // Act
        var errors = new OpenApiValidator(document).CheckValue(schema, json);

        // Assert
        Assert.NotEmpty(errors);
    }

    [Fact]
    public void Every_command_and_option_has_a_Discord_name_and_a_description_within_100_characters()
    {
        Assert.All(CommandTable.All, command =>
        {
            Assert.Matches("^[a-z0-9_-]{1,32}$", command.Name);
            Assert.InRange(command.Description.Length, 1, DiscordLimits.CommandDescription);
            Assert.All(command.Options, option =>
            {
                Assert.Matches("^[a-z0-9_-]{1,32}$", option.Name);
                Assert.InRange(option.Description.Length, 1, DiscordLimits.CommandDescription);
            });
        });
    }

    [Fact]
    public void A_description_over_100_characters_is_refused_rather_than_cut()
    {
        var command = CommandDescriptor.For<HelpCommand>("help", new string('d', 101));

        var error = Assert.Throws<InvalidOperationException>(() => CommandRegistration.Define(command));

        Assert.Contains("101 characters", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_keep_their_Discord_types_required_and_autocomplete()
    {
        var command = CommandDescriptor.For<HelpCommand>(
            "demo",
            "Demo.",
            CommandAccess.Everyone,
            new CommandOption("issue", "Issue number.", CommandOptionType.Integer, Required: true),
            new CommandOption("repo", "Repository.", CommandOptionType.String, Autocomplete: true),
            new CommandOption("release", "Lift the hold.", CommandOptionType.Boolean, Autocomplete: true));

        var options = CommandRegistration.Define(command).Options!;

        Assert.Equal([CommandOptionType.Integer, CommandOptionType.String, CommandOptionType.Boolean], options.Select(o => o.Type));
        Assert.Equal([true, null, null], options.Select(o => o.Required));
        Assert.Equal([null, true, null], options.Select(o => o.Autocomplete)); // Discord has no autocomplete on booleans
    }

    [Fact]
    public void Diff_finds_commands_to_add_change_and_remove()
    {
        // Arrange: what Discord would hold after an older sync.
        var wanted = CommandRegistration.Definitions([
            CommandDescriptor.For<HelpCommand>("help", "List the commands."),
            CommandDescriptor.For<HelpCommand>("plan", "Draft today's plan.", CommandAccess.Everyone, new CommandOption("repo", "Repository.", CommandOptionType.String, Autocomplete: true)),
            CommandDescriptor.For<HelpCommand>("retry", "Retry a task.", CommandAccess.Privileged, new CommandOption("issue", "Issue number.", CommandOptionType.Integer, Required: true)),
        ]);
        IReadOnlyList<RegisteredCommand> registered =
        [
            Registered(wanted[0]) with { Description = "Old help." },
            Registered(wanted[2]) with { Options = [new(CommandOptionType.String, "issue", "Issue number.")] },
            new RegisteredCommand("3", "deploy", "Deploy now."),
        ];

        // Act
        var changes = CommandRegistration.Diff(wanted, registered);

        // Assert
        Assert.Equal(
            [(CommandChangeKind.Change, "help"), (CommandChangeKind.Add, "plan"), (CommandChangeKind.Change, "retry"), (CommandChangeKind.Remove, "deploy")],
            changes.Select(c => (c.Kind, c.Name)));
        Assert.Equal(["description: \"Old help.\" → \"List the commands.\""], changes[0].Details);
        Assert.Equal(["option issue: type string → integer", "option issue: required false → true"], changes[2].Details);
    }

    [Fact]
    public void Diff_sees_option_autocomplete_removal_and_contexts()
    {
        var wanted = CommandRegistration.Definitions([
            CommandDescriptor.For<HelpCommand>("plan", "Plan.", CommandAccess.Everyone, new CommandOption("repo", "Repository.", CommandOptionType.String, Autocomplete: true)),
        ]);
        var registered = Registered(wanted[0]) with
        {
            Contexts = null,
            Options = [new(CommandOptionType.String, "repo", "Repository."), new(CommandOptionType.Integer, "limit", "Most issues.")],
        };

        var change = Assert.Single(CommandRegistration.Diff(wanted, [registered]));

        Assert.Equal(["contexts: any → guild", "option repo: autocomplete false → true", "option limit: removed"], change.Details);
    }

    [Fact]
    public void Diff_of_what_was_just_registered_is_empty()
    {
        var wanted = CommandRegistration.Definitions(CommandTable.All);

        Assert.Empty(CommandRegistration.Diff(wanted, wanted.Select(Registered).ToList()));
    }

    [Fact]
    public async Task Bulk_overwrite_of_a_guild_registers_the_table_and_then_nothing_differs()
    {
        // Arrange
        await using var discord = await DiscordApiHarness.StartAsync();
        var wanted = CommandRegistration.Definitions(CommandTable.All);

        // Act
        var registered = await discord.Api.BulkOverwriteGuildCommandsAsync(DiscordApiHarness.GuildId, wanted, Ct);
        var listed = await discord.Api.GetGuildCommandsAsync(DiscordApiHarness.GuildId, Ct);

        // Assert
        Assert.Equal(CommandTable.All.Select(c => c.Name), registered.Select(c => c.Name));
        Assert.Equal(CommandTable.All.Count, discord.Fake.Commands(DiscordApiHarness.GuildId).Count);
        Assert.Empty(discord.Fake.Commands());
        Assert.All(listed, c => Assert.Equal(DiscordApiHarness.GuildId, c.GuildId));
        Assert.Empty(CommandRegistration.Diff(wanted, listed));
        discord.Fake.AssertNoViolations();
    }

    [Fact]
    public async Task Bulk_overwrite_of_global_commands_replaces_what_was_there()
    {
        // Arrange
        await using var discord = await DiscordApiHarness.StartAsync();
        await discord.Api.BulkOverwriteGlobalCommandsAsync([new ApplicationCommandDefinition("deploy", "Deploy now.")], Ct);

        // Act
        await discord.Api.BulkOverwriteGlobalCommandsAsync(CommandRegistration.Definitions(CommandTable.All), Ct);
        var listed = await discord.Api.GetGlobalCommandsAsync(Ct);

        // Assert
        Assert.DoesNotContain(listed, c => c.Name == "deploy");
        Assert.Empty(CommandRegistration.Diff(CommandRegistration.Definitions(CommandTable.All), listed));
    }

    private static RegisteredCommand Registered(ApplicationCommandDefinition definition) =>
        new(Guid.NewGuid().ToString("N"), definition.Name, definition.Description)
        {
            Options = definition.Options,
            Contexts = definition.Contexts,
            DefaultMemberPermissions = definition.DefaultMemberPermissions,
        };
}
