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

        Assert.Equal("dev", Map(dev["with"])["stage"]);
        Assert.Equal("dev", prod["needs"]);
        Assert.Equal("prod", Map(prod["with"])["stage"]);
        Assert.Equal("production", Map(prod["with"])["environment"]);
    }

    [Fact]
    public void Deploys_start_only_from_a_passed_ci_run_of_a_push_to_main_and_ship_that_runs_artifact()
    {
        var workflow = Workflow("deploy.yml");
        var on = Map(workflow["on"]);
        var jobs = Map(workflow["jobs"]);

        // No other trigger (a workflow_dispatch could send any branch to dev).
        Assert.Equal(["workflow_run"], on.Keys);
        var run = Map(on["workflow_run"]);
        Assert.Equal(["ci"], List(run["workflows"]).Cast<string>());
        Assert.Equal(["completed"], List(run["types"]).Cast<string>());
        Assert.Equal(["main"], List(run["branches"]).Cast<string>());
        Assert.Equal("ci", Workflow("ci.yml")["name"]);

        // The first deploy requires success, a push (not a pull request whose branch is named main) and this repository.
        var condition = (string)Map(jobs["dev"])["if"]!;
        foreach (var clause in new[]
        {
            "github.event.workflow_run.conclusion == 'success'",
            "github.event.workflow_run.event == 'push'",
            "github.event.workflow_run.head_branch == 'main'",
            "github.event.workflow_run.head_repository.full_name == github.repository",
        })
        {
            Assert.Contains(clause, condition, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("||", condition, StringComparison.Ordinal);
        foreach (var job in jobs.Values.Select(Map))
        {
            Assert.Equal("${{ github.event.workflow_run.id }}", Map(job["with"])["ci-run-id"]);
            Assert.Equal("${{ github.event.workflow_run.head_sha }}", Map(job["with"])["commit"]);
            Assert.True(job.ContainsKey("if") || job.ContainsKey("needs"), "every deploy job is gated by the ci condition, directly or through needs");
        }

        var stage = Workflow("deploy-stage.yml");
        var download = Steps(stage).Single(s => ((string?)s.GetValueOrDefault("uses"))?.StartsWith("actions/download-artifact@", StringComparison.Ordinal) == true);
        Assert.Equal("${{ inputs.ci-run-id }}", Map(download["with"])["run-id"]);
        var checkout = Steps(stage).Single(s => ((string?)s.GetValueOrDefault("uses"))?.StartsWith("actions/checkout@", StringComparison.Ordinal) == true);
        Assert.Equal("${{ inputs.commit }}", Map(checkout["with"])["ref"]);
    }

    [Fact]
    public void Each_called_workflow_gets_no_permission_its_caller_does_not_grant()
    {
        // GitHub rejects a run whose reusable workflow asks for more than the calling job (or, without job
        // permissions, the calling workflow) grants; nothing here can run Actions, so check every call.
        var calls = 0;
        foreach (var file in WorkflowFiles())
        {
            var caller = Workflow(file);
            foreach (var (name, job) in Map(caller["jobs"]).Select(j => (j.Key, Map(j.Value))))
            {
                if (job.GetValueOrDefault("uses") is not string uses || !uses.StartsWith("./.github/workflows/", StringComparison.Ordinal))
                {
                    continue;
                }

                calls++;
                var granted = Permissions(job.TryGetValue("permissions", out var own) ? own : caller.GetValueOrDefault("permissions"));
                var called = Workflow(Path.GetFileName(uses));
                var asked = new List<(string Where, Dictionary<string, string> Permissions)> { ("workflow", Permissions(called.GetValueOrDefault("permissions"))) };
                asked.AddRange(Map(called["jobs"]).Select(j => ($"job {j.Key}", Permissions(Map(j.Value).GetValueOrDefault("permissions")))));
                foreach (var (where, permissions) in asked)
                {
                    foreach (var (scope, level) in permissions)
                    {
                        Assert.True(
                            Level(granted.GetValueOrDefault(scope)) >= Level(level),
                            $"{file} job {name} grants {scope}: {granted.GetValueOrDefault(scope) ?? "none"}, but {uses} ({where}) asks for {level}");
                    }
                }
            }
        }

        Assert.True(calls >= 2, "deploy.yml calls deploy-stage.yml for dev and prod");
    }

    [Fact]
    public void Deploys_of_one_stage_never_overlap_and_never_wait_for_another_stage()
    {
        var deploy = Workflow("deploy.yml");
        Assert.False(deploy.ContainsKey("concurrency"), "a workflow-wide group lets a prod approval block dev");

        var job = Map(Map(Workflow("deploy-stage.yml")["jobs"])["deploy"]);
        var concurrency = Map(job["concurrency"]);
        Assert.Contains("${{ inputs.stage }}", (string)concurrency["group"]!, StringComparison.Ordinal);
        Assert.Equal("false", concurrency["cancel-in-progress"]);
    }

    [Fact]
    public void Every_action_is_pinned_by_a_full_commit_sha_with_its_version_in_a_comment()
    {
        foreach (var file in WorkflowFiles())
        {
            var lines = File.ReadAllLines(Path.Combine(TestTools.RepositoryRoot, ".github", "workflows", file));
            foreach (var line in lines.Where(l => l.TrimStart().StartsWith("- uses:", StringComparison.Ordinal) || l.TrimStart().StartsWith("uses:", StringComparison.Ordinal)))
            {
                var uses = line.Split("uses:", 2)[1].Trim();
                if (uses.StartsWith("./", StringComparison.Ordinal))
                {
                    continue;
                }

                Assert.Matches(@"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40} # v[0-9]", uses);
            }
        }

        var updates = List(CloudFormationYaml.Load(Path.Combine(TestTools.RepositoryRoot, ".github", "dependabot.yml"))["updates"]).Select(Map);
        Assert.Contains(updates, u => (string?)u["package-ecosystem"] == "github-actions");
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

    private static IEnumerable<string> WorkflowFiles() =>
        Directory.EnumerateFiles(Path.Combine(TestTools.RepositoryRoot, ".github", "workflows"), "*.yml").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal);

    /// <summary>A permissions value as scope to level: a map as written, "read-all"/"write-all" for every scope, nothing for absent or {}.</summary>
    private static Dictionary<string, string> Permissions(object? value) => value switch
    {
        null => [],
        Dictionary<string, object?> map => map.ToDictionary(p => p.Key, p => (string)p.Value!, StringComparer.Ordinal),
        "read-all" or "write-all" => AllScopes.ToDictionary(s => s, _ => ((string)value)[..^4], StringComparer.Ordinal),
        _ => throw new InvalidDataException($"Unexpected permissions {Describe(value)}."),
    };

    private static readonly string[] AllScopes =
        ["actions", "attestations", "checks", "contents", "deployments", "id-token", "issues", "discussions", "packages", "pages", "pull-requests", "repository-projects", "security-events", "statuses"];

    private static int Level(string? level) => level switch
    {
        null or "none" => 0,
        "read" => 1,
        "write" => 2,
        _ => throw new InvalidDataException($"Unknown permission level {level}."),
    };

    private static Dictionary<string, object?> Workflow(string name) =>
        CloudFormationYaml.Load(Path.Combine(TestTools.RepositoryRoot, ".github", "workflows", name));

    private static IEnumerable<Dictionary<string, object?>> Steps(Dictionary<string, object?> workflow) =>
        Map(workflow["jobs"]).Values.Select(Map).Where(j => j.ContainsKey("steps")).SelectMany(j => List(j["steps"]).Select(Map));

    private static List<string> Runs(string name) =>
        [.. Steps(Workflow(name)).Select(s => s.GetValueOrDefault("run") as string).OfType<string>()];

    private static List<string> Uses(string name) =>
        [.. Steps(Workflow(name)).Select(s => s.GetValueOrDefault("uses") as string).OfType<string>()];
}
