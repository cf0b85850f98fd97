using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Discord;
using Orchestrator.Tests.Infrastructure;
using Orchestrator.Workflow;

namespace Orchestrator.Tests.Workflow;

public sealed class CommandTableTests
{
    [Fact]
    public void Command_names_are_unique_lowercase_and_descriptions_fit_discord_limits()
    {
        Assert.Equal(CommandTable.All.Count, CommandTable.All.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.All(CommandTable.All, c =>
        {
            Assert.Matches("^[a-z][a-z0-9_-]{0,31}$", c.Name);
            Assert.InRange(c.Description.Length, 1, 100);
            Assert.All(c.Options, o => Assert.InRange(o.Description.Length, 1, 100));
        });
    }

    [Fact]
    public void Required_options_come_before_optional_ones_as_discord_requires()
    {
        Assert.All(CommandTable.All, c =>
        {
            var firstOptional = c.Options.ToList().FindIndex(o => !o.Required);
            Assert.True(firstOptional < 0 || c.Options.Skip(firstOptional).All(o => !o.Required), c.Name);
        });
    }

    [Fact]
    public void Every_privileged_action_of_the_loop_is_privileged()
    {
        string[] privileged = ["approve", "reject", "ship", "cancel", "hold", "retry", "approve-ci", "ask", "route"];
        Assert.All(CommandTable.All, c => Assert.Equal(privileged.Contains(c.Name), c.Access == CommandAccess.Privileged));
    }

    [Fact]
    public void Every_command_and_event_handler_resolves_from_the_container()
    {
        using var app = new AppFixture();
        using var scope = app.Services.CreateScope();

        Assert.All(CommandTable.All, c => Assert.IsType(c.Handler, scope.ServiceProvider.GetRequiredKeyedService<ICommandHandler>(c.Name)));
        Assert.All(GitHubEventTable.All, r => Assert.IsType(r.Handler, scope.ServiceProvider.GetRequiredService(r.Handler)));
        Assert.All(GitHubEventTable.All, r => Assert.InRange(r.Description.Length, 1, 100));
    }
}
