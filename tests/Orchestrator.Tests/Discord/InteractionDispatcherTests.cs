using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Discord;
using Orchestrator.Storage;

namespace Orchestrator.Tests.Discord;

public sealed class InteractionDispatcherTests
{
    [Fact]
    public async Task A_command_that_loses_a_concurrent_update_is_answered_alike_and_only_to_the_caller()
    {
        // Arrange
        var dispatcher = Dispatcher(new ThrowingCommand(new ConcurrencyConflictException("run 1 changed")), refusal: null);

        // Act
        var response = await dispatcher.DispatchAsync(Command("conflicted"), TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal(InteractionResponseType.ChannelMessageWithSource, response.Type);
        Assert.Equal(MessageFlags.Ephemeral, response.Data!.Flags);
        Assert.Contains("changed this run at the same moment", response.Data.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_gate_refuses_before_the_handler_runs()
    {
        // Arrange
        var handler = new ThrowingCommand(new InvalidOperationException("must not run"));
        var dispatcher = Dispatcher(handler, refusal: "Not you.");

        // Act
        var response = await dispatcher.DispatchAsync(Command("conflicted"), TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal("Not you.", response.Data!.Content);
        Assert.Equal(MessageFlags.Ephemeral, response.Data.Flags);
        Assert.Equal(0, handler.Calls);
    }

    private static InteractionDispatcher Dispatcher(ThrowingCommand handler, string? refusal)
    {
        var services = new ServiceCollection();
        services.AddKeyedSingleton<ICommandHandler>("conflicted", handler);
        var catalog = new CommandCatalog([CommandDescriptor.For<ThrowingCommand>("conflicted", "Loses a race.", CommandAccess.Privileged)]);
        return new InteractionDispatcher(services.BuildServiceProvider(), catalog, new FixedGate(refusal), NullLogger<InteractionDispatcher>.Instance);
    }

    private static Interaction Command(string name) => new()
    {
        Id = "1",
        ApplicationId = "2",
        Type = InteractionType.ApplicationCommand,
        Token = "t",
        GuildId = "g",
        ChannelId = "c",
        Data = new InteractionData { Name = name },
        Member = new GuildMember { User = new DiscordUser("u1", "name", null), Roles = [] },
    };

    private sealed class ThrowingCommand(Exception exception) : ICommandHandler
    {
        public int Calls { get; private set; }

        public Task<InteractionResponse> HandleAsync(CommandContext context, CancellationToken cancellationToken)
        {
            Calls++;
            throw exception;
        }
    }

    private sealed class FixedGate(string? refusal) : ICommandGate
    {
        public Task<string?> RefuseAsync(CommandDescriptor command, CommandContext context, CancellationToken cancellationToken) => Task.FromResult(refusal);
    }
}
