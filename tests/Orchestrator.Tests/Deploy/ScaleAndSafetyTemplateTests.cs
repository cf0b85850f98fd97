using System.Globalization;
using static Orchestrator.Tests.Deploy.SamTemplate;

namespace Orchestrator.Tests.Deploy;

/// <summary>Issue 14's template rules: a first deploy that can be retried, 1,000 deliveries/s, a cold-start guarantee.</summary>
public sealed class ScaleAndSafetyTemplateTests
{
    private static readonly SamTemplate Template = SamTemplate.Current;

    [Fact]
    public void Tables_survive_a_stack_deletion_but_not_a_failed_first_create()
    {
        var tables = Template.OfType("AWS::DynamoDB::Table").ToList();

        Assert.Equal(3, tables.Count);
        Assert.All(tables, t => Assert.Equal("RetainExceptOnCreate", t.Value["DeletionPolicy"]));
        Assert.All(tables, t => Assert.Equal("Retain", t.Value["UpdateReplacePolicy"]));
    }

    [Theory]
    [MemberData(nameof(Deployments), MemberType = typeof(SamTemplate))]
    public void Every_named_resource_is_named_after_the_stack_so_two_stacks_fit_in_one_account(string deployment)
    {
        var nameProperties = new[] { "TableName", "FunctionName", "LogGroupName", "TopicName", "AlarmName", "DashboardName", "RoleName" };
        var named = 0;
        foreach (var (resource, value) in Deployment(deployment).Resources.Select(r => (r.Key, Map(r.Value))))
        {
            var properties = value.TryGetValue("Properties", out var p) ? Map(p) : [];
            foreach (var property in nameProperties.Where(properties.ContainsKey))
            {
                named++;
                var sub = (string?)Map(properties[property]).GetValueOrDefault("Fn::Sub");
                Assert.True(sub is not null && sub.Contains("${AWS::StackName}", StringComparison.Ordinal), $"{resource}.{property} is {Describe(properties[property])}: derive it from the stack name");
            }
        }

        Assert.True(named >= 20, "tables, functions, log groups, topic, alarms and dashboard are named");
    }

    [Fact]
    public void The_api_throttle_is_a_parameter_defaulting_to_at_least_2000_per_second_and_a_5000_burst()
    {
        var parameters = Map(Template.Root["Parameters"]);
        var settings = Map(Map(Template.Properties("HttpApi")["DefaultRouteSettings"]));

        Assert.True(IsRef(settings["ThrottlingRateLimit"], "ApiThrottlingRateLimit"));
        Assert.True(IsRef(settings["ThrottlingBurstLimit"], "ApiThrottlingBurstLimit"));
        Assert.True(Number(Map(parameters["ApiThrottlingRateLimit"])["Default"]) >= 2000);
        Assert.True(Number(Map(parameters["ApiThrottlingBurstLimit"])["Default"]) >= 5000);
    }

    [Fact]
    public void The_stream_mapping_and_worker_can_run_1000_jobs_a_second()
    {
        // A stream shard feeds ParallelizationFactor concurrent batches; each batch runs Concurrency jobs at once.
        // With a job taking 50 ms of mostly DynamoDB round trips (deploy/README.md, "Throughput"), one stream shard
        // must carry 1,000 jobs/s on its own, since a low-traffic table can have a single shard.
        var stream = Map(Map(Map(Template.Properties("WorkerFunction")["Events"])["JobsStream"])["Properties"]);
        var parallelization = Number(stream["ParallelizationFactor"]);
        var batch = Number(stream["BatchSize"]);
        var window = Number(stream["MaximumBatchingWindowInSeconds"]);
        var concurrency = Number(Template.EnvironmentValue("WorkerFunction", "Orchestrator__Worker__Concurrency"));

        Assert.InRange(parallelization, 2, 10);
        Assert.True(batch >= concurrency, "a batch holds at least as many records as the worker runs at once");
        Assert.InRange(window, 0, 1); // at most a second of added latency
        Assert.True(parallelization * concurrency / 0.050 >= 1000, $"{parallelization} batches x {concurrency} jobs / 50 ms < 1,000 jobs/s per shard");
    }

    [Fact]
    public void The_interactions_function_has_a_cold_start_guarantee_on_by_default_in_prod()
    {
        var parameters = Map(Template.Root["Parameters"]);
        var coldStart = Map(parameters["InteractionsColdStart"]);
        var discord = Template.Properties("DiscordFunction");
        var conditions = Map(Template.Root["Conditions"]);

        Assert.Equal("Auto", coldStart["Default"]);
        Assert.Equal(["Auto", "None", "SnapStart", "ProvisionedConcurrency"], List(coldStart["AllowedValues"]).Cast<string>());
        Assert.Equal("live", discord["AutoPublishAlias"]);
        Assert.Equal("InteractionsProvisioned", List(Map(discord["ProvisionedConcurrencyConfig"])["Fn::If"])[0]);
        Assert.Equal("InteractionsSnapStart", List(Map(discord["SnapStart"])["Fn::If"])[0]);

        // Auto means provisioned concurrency exactly when the stage is prod.
        var provisioned = Describe(conditions["InteractionsProvisioned"]);
        Assert.Contains("{Condition: 'IsProd'}", provisioned, StringComparison.Ordinal);
        Assert.Contains("'Auto'", provisioned, StringComparison.Ordinal);
        Assert.Contains("'ProvisionedConcurrency'", provisioned, StringComparison.Ordinal);
        Assert.Equal("{Fn::Equals: [{Ref: 'Stage'}, 'prod']}", Describe(conditions["IsProd"]));
    }

    [Fact]
    public void Prod_tables_on_the_delivery_path_are_prewarmed()
    {
        foreach (var table in new[] { "InboxTable", "JobsTable" })
        {
            var warm = List(Map(Template.Properties(table)["WarmThroughput"])["Fn::If"]);
            Assert.Equal("IsProd", warm[0]);
            Assert.True(Number(Map(warm[1])["WriteUnitsPerSecond"]) >= 4000);
            Assert.True(IsRef(warm[2], "AWS::NoValue"));
        }
    }

    private static double Number(object? value) => double.Parse(Template.Text(value)!, CultureInfo.InvariantCulture);
}
