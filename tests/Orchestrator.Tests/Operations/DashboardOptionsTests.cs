using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orchestrator.Operations;

namespace Orchestrator.Tests.Operations;

public sealed class DashboardOptionsTests
{
    [Fact]
    public void An_entry_may_list_several_users_or_teams_and_an_empty_one_lists_nobody()
    {
        // Arrange: one entry each, as an environment variable can carry a whole list.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Orchestrator:Dashboard:AllowedUsers:0"] = " ada , ,grace",
            ["Orchestrator:Dashboard:AllowedUsers:1"] = "linus",
            ["Orchestrator:Dashboard:AllowedTeams:0"] = string.Empty,
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddDashboard(configuration);
        using var provider = services.BuildServiceProvider();

        // Act
        var options = provider.GetRequiredService<IOptions<DashboardOptions>>().Value;

        // Assert: no empty team, so sign-in does not ask for read:org.
        Assert.Equal(["ada", "grace", "linus"], options.AllowedUsers);
        Assert.Empty(options.AllowedTeams);
    }
}
