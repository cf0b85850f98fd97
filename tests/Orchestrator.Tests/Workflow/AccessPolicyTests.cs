using Orchestrator.Discord;
using Orchestrator.Tests.Infrastructure;
using Orchestrator.Workflow;

namespace Orchestrator.Tests.Workflow;

public sealed class AccessPolicyTests
{
    private static readonly CommandDescriptor Approve = CommandTable.Find("approve")!;
    private static readonly CommandDescriptor Ship = CommandTable.Find("ship")!;

    [Fact]
    public void Privileged_commands_are_denied_when_no_approver_is_configured()
    {
        var decision = Policy(new WorkflowOptions()).Check(Approve, Caller("u1", []));

        Assert.False(decision.Allowed);
        Assert.Contains("Orchestrator:Access:Approvers", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Everyone_may_run_unprivileged_commands()
    {
        Assert.True(Policy(new WorkflowOptions()).Check(CommandTable.Find("status")!, Caller("u1", [])).Allowed);
    }

    [Theory]
    [InlineData("u1", new string[0], true)]
    [InlineData("u2", new[] { "r-approvers" }, true)]
    [InlineData("u2", new[] { "r-other" }, false)]
    [InlineData("u3", new string[0], false)]
    public void Approvers_are_named_by_user_or_role(string user, string[] roles, bool allowed)
    {
        var options = new WorkflowOptions();
        options.Access.Approvers.Users.Add("u1");
        options.Access.Approvers.Roles.Add("r-approvers");

        Assert.Equal(allowed, Policy(options).Check(Approve, Caller(user, roles)).Allowed);
    }

    [Fact]
    public void A_command_with_its_own_grant_ignores_the_approvers()
    {
        var options = new WorkflowOptions();
        options.Access.Approvers.Users.Add("u1");
        var shippers = new Grant();
        shippers.Users.Add("u9");
        options.Access.Commands["ship"] = shippers;

        var policy = Policy(options);

        Assert.False(policy.Check(Ship, Caller("u1", [])).Allowed);
        Assert.True(policy.Check(Ship, Caller("u9", [])).Allowed);
        Assert.True(policy.Check(Approve, Caller("u1", [])).Allowed);
    }

    [Fact]
    public void Forcing_a_ship_needs_an_admin()
    {
        var options = new WorkflowOptions();
        options.Access.Admins.Roles.Add("r-admin");
        var policy = Policy(options);

        Assert.True(policy.CheckAdmin(Caller("u1", ["r-admin"])).Allowed);
        Assert.False(policy.CheckAdmin(Caller("u1", ["r-approvers"])).Allowed);
        Assert.False(Policy(new WorkflowOptions()).CheckAdmin(Caller("u1", ["r-admin"])).Allowed);
    }

    private static AccessPolicy Policy(WorkflowOptions options) => new(new StaticOptionsMonitor<WorkflowOptions>(options));

    private static Caller Caller(string user, string[] roles) => new(user, roles);
}
