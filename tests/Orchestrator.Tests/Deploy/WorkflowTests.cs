using Orchestrator.Tests.Infrastructure;
using static Orchestrator.Tests.Deploy.SamTemplate;

namespace Orchestrator.Tests.Deploy;

/// <summary>The CI/CD rules of issue 6, checked on the workflow files.</summary>
public sealed class WorkflowTests
{
    [Fact]
    public void Ci_checks_format_builds_with_warnings_as_errors_tests_validates_and_publishes()
    {
        var run = Runs("ci.yml");

        Assert.Contains(run, r => r.Contains("dotnet format --verify-no-changes", StringComparison.Ordinal));
        Assert.Contains(run, r => r.Contains("dotnet build", StringComparison.Ordinal) && r.Contains("-warnaserror", StringComparison.Ordinal));
        Assert.Contains(run, r => r.Contains("dotnet test", StringComparison.Ordinal));
        Assert.Contains(run, r => r.Contains("cfn-lint deploy/template.yaml", StringComparison.Ordinal) && r.Contains("sam validate --lint", StringComparison.Ordinal));
        Assert.Contains(run, r => r.Contains("dotnet publish src/Orchestrator -c Release -r linux-x64 --self-contained false", StringComparison.Ordinal)
            && r.Contains("-p:PublishReadyToRun=true -o artifacts/publish", StringComparison.Ordinal));
        Assert.Contains(Uses("ci.yml"), u => u.StartsWith("actions/upload-artifact@", StringComparison.Ordinal));
    }

    [Fact]
    public void Prod_deploys_only_after_dev_through_the_protected_production_environment()
    {
        var jobs = Map(Workflow("deploy.yml")["jobs"]);
        var dev = Map(jobs["dev"]);
        var prod = Map(jobs["prod"]);

        Assert.Equal("package", dev["needs"]);
        Assert.Equal("dev", Map(dev["with"])["stage"]);
        Assert.Equal("dev", prod["needs"]);
        Assert.Equal("prod", Map(prod["with"])["stage"]);
        Assert.Equal("production", Map(prod["with"])["environment"]);
        Assert.Equal(["main"], List(Map(Map(Workflow("deploy.yml")["on"])["push"])["branches"]).Cast<string>());
    }

    [Fact]
    public void A_stage_deploy_uses_an_oidc_role_then_smoke_tests_the_live_endpoints()
    {
        var workflow = Workflow("deploy-stage.yml");
        var job = Map(Map(workflow["jobs"])["deploy"]);

        Assert.Equal("${{ inputs.environment }}", Map(job["environment"])["name"]);
        Assert.Equal("write", Map(job["permissions"])["id-token"]);
        var credentials = Steps(workflow).Single(s => ((string?)s.GetValueOrDefault("uses"))?.StartsWith("aws-actions/configure-aws-credentials@", StringComparison.Ordinal) == true);
        Assert.Equal("${{ vars.AWS_DEPLOY_ROLE_ARN }}", Map(credentials["with"])["role-to-assume"]);
        Assert.DoesNotContain(Steps(workflow), s => s.ContainsKey("with") && Map(s["with"]).Keys.Any(k => k.StartsWith("aws-secret-access-key", StringComparison.Ordinal)));

        var smoke = Steps(workflow).Single(s => ((string?)s.GetValueOrDefault("run"))?.Contains("deploy/smoke-test.sh", StringComparison.Ordinal) == true);
        Assert.Equal("${{ secrets.WEBHOOK_SECRET }}", Map(smoke["env"])["WEBHOOK_SECRET"]);
        Assert.True(File.Exists(Path.Combine(TestTools.RepositoryRoot, "deploy", "smoke-test.sh")));
    }

    [Fact]
    public void Dependabot_updates_nuget_the_test_tools_and_the_actions()
    {
        var updates = List(CloudFormationYaml.Load(Path.Combine(TestTools.RepositoryRoot, ".github", "dependabot.yml"))["updates"]).Select(Map).ToList();

        Assert.Contains(updates, u => (string?)u["package-ecosystem"] == "nuget" && (string?)u["directory"] == "/");
        Assert.Contains(updates, u => (string?)u["package-ecosystem"] == "npm" && (string?)u["directory"] == "/tools");
        Assert.Contains(updates, u => (string?)u["package-ecosystem"] == "github-actions");
    }

    [Fact]
    public void Codeql_analyzes_csharp()
    {
        var init = Steps(Workflow("codeql.yml")).Single(s => ((string?)s.GetValueOrDefault("uses"))?.StartsWith("github/codeql-action/init@", StringComparison.Ordinal) == true);

        Assert.Equal("csharp", Map(init["with"])["languages"]);
    }

    private static Dictionary<string, object?> Workflow(string name) =>
        CloudFormationYaml.Load(Path.Combine(TestTools.RepositoryRoot, ".github", "workflows", name));

    private static IEnumerable<Dictionary<string, object?>> Steps(Dictionary<string, object?> workflow) =>
        Map(workflow["jobs"]).Values.Select(Map).Where(j => j.ContainsKey("steps")).SelectMany(j => List(j["steps"]).Select(Map));

    private static List<string> Runs(string name) =>
        [.. Steps(Workflow(name)).Select(s => s.GetValueOrDefault("run") as string).OfType<string>()];

    private static List<string> Uses(string name) =>
        [.. Steps(Workflow(name)).Select(s => s.GetValueOrDefault("uses") as string).OfType<string>()];
}
