using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Orchestrator.Hosting;
using Orchestrator.Jobs;
using Orchestrator.Secrets;
using Orchestrator.Storage;
using Orchestrator.Storage.DynamoDb;
using Orchestrator.Tests.Infrastructure;
using static Orchestrator.Tests.Deploy.SamTemplate;

namespace Orchestrator.Tests.Deploy;

/// <summary>
/// The rules deploy/template.yaml must keep (issue 6), checked on the parsed template: as deployed by default, and
/// (the rules every function keeps) with the dashboard on as well.
/// </summary>
public sealed partial class TemplateTests
{
    private static readonly SamTemplate Template = SamTemplate.Current;

    private static readonly string[] Functions = ["DiscordFunction", "GitHubFunction", "WorkerFunction"];

    /// <summary>The functions that read only their own secrets, by name (Orchestrator__Secrets__ParameterNames).</summary>
    private static readonly Dictionary<string, string> OwnSecrets = new(StringComparer.Ordinal)
    {
        ["GitHubFunction"] = "GitHub/WebhookSecrets",
        ["DashboardFunction"] = "Dashboard/ClientSecret",
    };

    [Fact]
    public void The_template_is_a_SAM_template_with_the_three_functions()
    {
        Assert.Equal("AWS::Serverless-2016-10-31", Template.Root["Transform"]);
        Assert.Equal(Functions.Order(), Template.FunctionNames.Order());
        Assert.Equal(["dev", "prod"], List(Map(Map(Template.Root["Parameters"])["Stage"])["AllowedValues"]).Cast<string>());
    }

    [Fact]
    public void The_http_api_exposes_exactly_the_three_public_routes()
    {
        var routes = Template.FunctionNames
            .SelectMany(f => Map(Template.Properties(f).GetValueOrDefault("Events") ?? new Dictionary<string, object?>()).Values.Select(Map))
            .Where(e => (string?)e["Type"] == "HttpApi")
            .Select(e => Map(e["Properties"]))
            .ToList();

        Assert.All(routes, r => Assert.True(IsRef(r["ApiId"], "HttpApi"), "every route belongs to the one HTTP API"));
        Assert.Equal(
            new[] { "GET /healthz", "POST /discord/interactions", "POST /github/webhooks" },
            routes.Select(r => $"{r["Method"]} {r["Path"]}").Order());
        Assert.Single(Template.OfType("AWS::Serverless::HttpApi"));
    }

    [Fact]
    public void Each_route_is_served_by_the_function_tuned_for_it()
    {
        string Route(string function) => string.Join(",", Map(Template.Properties(function).GetValueOrDefault("Events") ?? new Dictionary<string, object?>())
            .Values.Select(Map).Where(e => (string?)e["Type"] == "HttpApi").Select(e => (string?)Map(e["Properties"])["Path"]).Order());

        Assert.Equal("/discord/interactions,/healthz", Route("DiscordFunction"));
        Assert.Equal("/github/webhooks", Route("GitHubFunction"));
        Assert.Equal(string.Empty, Route("WorkerFunction"));
    }

    [Theory]
    [MemberData(nameof(Deployments), MemberType = typeof(SamTemplate))]
    public void Every_function_runs_the_same_artifact_through_the_web_adapter(string deployment)
    {
        var template = Deployment(deployment);
        Assert.Equal("../artifacts/publish", template.GlobalFunction["CodeUri"]);
        Assert.Equal("run.sh", template.GlobalFunction["Handler"]);
        Assert.Equal("dotnet10", template.GlobalFunction["Runtime"]);
        Assert.Equal(["x86_64"], List(template.GlobalFunction["Architectures"]).Cast<string>());
        var layer = Assert.Single(List(template.GlobalFunction["Layers"]));
        Assert.Equal(
            "arn:${AWS::Partition}:lambda:${AWS::Region}:753240598075:layer:LambdaAdapterLayerX86:${WebAdapterLayerVersion}",
            Map(layer)["Fn::Sub"]);

        foreach (var function in template.FunctionNames)
        {
            foreach (var shared in new[] { "CodeUri", "Handler", "Runtime", "Architectures", "Layers", "PackageType", "ImageUri" })
            {
                Assert.False(template.Properties(function).ContainsKey(shared), $"{function} overrides {shared}; every function must run the same artifact");
            }

            Assert.Equal("makefile", Map(Map(template.Resources[function])["Metadata"])["BuildMethod"]);
            Assert.Equal("/opt/bootstrap", template.EnvironmentValue(function, "AWS_LAMBDA_EXEC_WRAPPER"));
            Assert.Equal(OrchestratorBuilder.DefaultPort, template.EnvironmentValue(function, "AWS_LWA_PORT"));
            Assert.Equal("/healthz", template.EnvironmentValue(function, "AWS_LWA_READINESS_CHECK_PATH"));
            Assert.Equal("false", template.EnvironmentValue(function, "Orchestrator__Worker__Hosted"));
            Assert.Equal(nameof(StorageProvider.DynamoDb), template.EnvironmentValue(function, "Orchestrator__Storage__Provider"));
        }
    }

    [Fact]
    public void The_start_script_and_makefile_build_every_function_from_the_published_folder()
    {
        var script = Path.Combine(TestTools.RepositoryRoot, "deploy", "lambda", "run.sh");
        var text = File.ReadAllText(script);
        Assert.StartsWith("#!/bin/sh\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain('\r', text);
        Assert.Contains("cd \"$(dirname \"$0\")\"", text, StringComparison.Ordinal);
        Assert.Contains("exec dotnet Orchestrator.dll", text, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.True((File.GetUnixFileMode(script) & UnixFileMode.UserExecute) != 0, "run.sh must be executable: the adapter's wrapper execs it");
        }

        var makefile = File.ReadAllText(Path.Combine(TestTools.RepositoryRoot, "deploy", "lambda", "Makefile"));
        foreach (var function in WithDashboard.FunctionNames)
        {
            Assert.Contains($"build-{function}", makefile, StringComparison.Ordinal);
        }

        var project = File.ReadAllText(Path.Combine(TestTools.RepositoryRoot, "src", "Orchestrator", "Orchestrator.csproj"));
        Assert.Contains("Include=\"../../deploy/lambda/run.sh\" Link=\"run.sh\"", project, StringComparison.Ordinal);
        Assert.Contains("Include=\"../../deploy/lambda/Makefile\" Link=\"Makefile\"", project, StringComparison.Ordinal);
    }

    [Fact]
    public void The_worker_takes_stream_and_schedule_events_through_the_pass_through_path()
    {
        var defaults = new JobOptions();
        Assert.Equal(defaults.EventsPath, Template.EnvironmentValue("WorkerFunction", "AWS_LWA_PASS_THROUGH_PATH"));
        Assert.Equal(defaults.EventsPath, Template.EnvironmentValue("WorkerFunction", "Orchestrator__Worker__EventsPath"));
        Assert.Equal("true", Template.EnvironmentValue("WorkerFunction", "Orchestrator__Worker__EventsEnabled"));
        Assert.Equal("true", Template.EnvironmentValue("WorkerFunction", "Orchestrator__Metrics__EmbeddedMetricFormat"));
        Assert.Equal(
            Template.Text(Template.Properties("WorkerFunction")["Timeout"]),
            Template.EnvironmentValue("WorkerFunction", "Orchestrator__Worker__FunctionTimeoutSeconds"));
        foreach (var function in new[] { "DiscordFunction", "GitHubFunction" })
        {
            Assert.Null(Template.EnvironmentValue(function, "Orchestrator__Worker__EventsEnabled"));
        }

        var events = Map(Template.Properties("WorkerFunction")["Events"]).ToDictionary(e => e.Key, e => Map(e.Value));
        var stream = Map(Assert.Single(events.Values, e => (string?)e["Type"] == "DynamoDB")["Properties"]);
        Assert.True(IsGetAtt(stream["Stream"], "JobsTable", "StreamArn"));
        Assert.Contains("ReportBatchItemFailures", List(stream["FunctionResponseTypes"]));
        Assert.True(int.Parse((string)stream["MaximumRetryAttempts"]!, CultureInfo.InvariantCulture) > 0);

        var pattern = (string)Map(Assert.Single(List(Map(stream["FilterCriteria"])["Filters"])))["Pattern"]!;
        var expected = new JsonObject
        {
            ["dynamodb"] = new JsonObject
            {
                ["NewImage"] = new JsonObject
                {
                    [DynamoSchema.PartitionKey] = new JsonObject { ["S"] = new JsonArray(new JsonObject { ["prefix"] = JobStreamImage.KeyPrefix }) },
                    [JobStreamImage.QueueAttribute] = new JsonObject { ["S"] = new JsonArray(new JsonObject { ["prefix"] = JobStreamImage.PendingQueuePrefix }) },
                    [JobStreamImage.StateAttribute] = new JsonObject { ["S"] = new JsonArray(nameof(JobState.Pending)) },
                },
            },
        };
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(pattern)), $"the stream filter {pattern} must select pending job items as JobStreamImage reads them");

        var schedule = Map(Assert.Single(events.Values, e => (string?)e["Type"] == "Schedule")["Properties"]);
        Assert.Equal("rate(1 minute)", schedule["Schedule"]);
        Assert.False(schedule.ContainsKey("Input"), "the app recognises the standard Scheduled Event shape");
    }

    [Theory]
    [MemberData(nameof(Deployments), MemberType = typeof(SamTemplate))]
    public void No_iam_statement_grants_a_wildcard_action(string deployment)
    {
        var template = Deployment(deployment);
        var roles = template.OfType("AWS::IAM::Role").Select(r => r.Key).ToList();
        Assert.NotEmpty(roles);
        foreach (var role in roles)
        {
            Assert.False(template.Properties(role).ContainsKey("ManagedPolicyArns"), $"{role}: managed policies grant more than the function uses");
            foreach (var statement in template.Statements(role))
            {
                foreach (var action in OneOrMany(statement["Action"]).Cast<string>())
                {
                    Assert.DoesNotContain('*', action);
                    Assert.Matches("^[a-z0-9-]+:[A-Za-z0-9]+$", action);
                }

                Assert.False(statement.ContainsKey("NotAction"), $"{role}: NotAction allows everything else");
                Assert.Equal("Allow", statement["Effect"]);
            }
        }

        foreach (var function in template.FunctionNames)
        {
            Assert.False(template.Properties(function).ContainsKey("Policies"), $"{function}: SAM policy templates bypass the role rules");
        }
    }

    [Theory]
    [MemberData(nameof(Deployments), MemberType = typeof(SamTemplate))]
    public void Each_function_has_its_own_role(string deployment)
    {
        var template = Deployment(deployment);
        var roles = template.FunctionNames.Select(template.RoleOf).ToList();
        Assert.Equal(roles.Count, roles.Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Deployments), MemberType = typeof(SamTemplate))]
    public void DynamoDB_permissions_name_exact_tables_indexes_and_the_jobs_stream(string deployment)
    {
        var template = Deployment(deployment);
        var tables = TablesBySuffix(template);
        var allowed = new List<string>();
        foreach (var (suffix, table) in tables)
        {
            var definition = DynamoSchema.All.Single(t => t.Suffix == suffix);
            allowed.Add($"GetAtt {table}.Arn");
            allowed.AddRange(definition.Indexes.Select(i => $"Sub ${{{table}.Arn}}/index/{i.Name}"));
        }

        string Key(object? resource) => resource switch
        {
            Dictionary<string, object?> d when d.TryGetValue("Fn::GetAtt", out var a) => $"GetAtt {List(a)[0]}.{List(a)[1]}",
            Dictionary<string, object?> d when d.TryGetValue("Fn::Sub", out var s) => $"Sub {s}",
            _ => Describe(resource),
        };

        var streamActions = new[] { "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams" };
        foreach (var function in template.FunctionNames)
        {
            var statements = template.Statements(template.RoleOf(function))
                .Where(s => OneOrMany(s["Action"]).Cast<string>().Any(a => a.StartsWith("dynamodb:", StringComparison.Ordinal)))
                .ToList();
            Assert.NotEmpty(statements);
            foreach (var statement in statements)
            {
                var actions = OneOrMany(statement["Action"]).Cast<string>().ToList();
                var resources = OneOrMany(statement["Resource"]).Select(Key).ToList();
                if (actions.Any(streamActions.Contains))
                {
                    Assert.Equal("WorkerFunction", function);
                    Assert.All(actions, a => Assert.Contains(a, streamActions));
                    Assert.Equal(["GetAtt JobsTable.StreamArn"], resources);
                }
                else
                {
                    Assert.All(resources, r => Assert.Contains(r, allowed));
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Deployments), MemberType = typeof(SamTemplate))]
    public void Secrets_are_read_from_parameter_store_never_from_environment_variables(string deployment)
    {
        var template = Deployment(deployment);
        var secretName = SecretSetting();
        var pathKey = (SecretsOptions.Section + ":" + nameof(SecretsOptions.ParameterStorePath)).Replace(":", "__", StringComparison.Ordinal);
        foreach (var function in template.FunctionNames)
        {
            var environment = template.Environment(function);
            foreach (var name in environment.Keys)
            {
                var last = name.Split("__")[^1];
                Assert.False(secretName.IsMatch(last), $"{function} sets {name} in its environment: secrets come from Parameter Store");
            }

            Assert.Equal("/orchestrator/test/", template.EnvironmentValue(function, pathKey));

            // The webhook and dashboard functions read their own secrets by name, exactly those; the others read the stage's path.
            var statements = template.Statements(template.RoleOf(function)).ToList();
            var names = template.EnvironmentValue(function, "Orchestrator__Secrets__ParameterNames");
            var ssm = Assert.Single(statements, s => OneOrMany(s["Action"]).Cast<string>().Any(a => a.StartsWith("ssm:", StringComparison.Ordinal)));
            if (OwnSecrets.TryGetValue(function, out var own))
            {
                Assert.Equal(own, names);
                Assert.Equal(["ssm:GetParameters"], OneOrMany(ssm["Action"]).Cast<string>());
                Assert.Equal(
                    own.Split(',').Select(n => "arn:aws:ssm:eu-west-1:123456789012:parameter/orchestrator/test/" + n),
                    OneOrMany(ssm["Resource"]).Select(template.Text));
            }
            else
            {
                Assert.Null(names);
                Assert.Equal(["ssm:GetParametersByPath"], OneOrMany(ssm["Action"]).Cast<string>());
                Assert.Equal(
                    ["arn:aws:ssm:eu-west-1:123456789012:parameter/orchestrator/test", "arn:aws:ssm:eu-west-1:123456789012:parameter/orchestrator/test/*"],
                    OneOrMany(ssm["Resource"]).Select(template.Text));
            }

            // kms:Decrypt only on the customer managed key, only when there is one, only through SSM: no "key/*" fallback.
            var policies = List(template.Properties(template.RoleOf(function))["Policies"]).Select(Map);
            var raw = policies.SelectMany(p => List(Map(p["PolicyDocument"])["Statement"])).ToList();
            var kms = Assert.Single(raw, s => Describe(s).Contains("kms:Decrypt", StringComparison.Ordinal));
            var branches = List(Map(kms)["Fn::If"]);
            Assert.Equal("HasSecretsKey", branches[0]);
            Assert.True(IsRef(branches[2], "AWS::NoValue"));
            var grant = Map(branches[1]);
            Assert.True(IsRef(grant["Resource"], "SecretsKmsKeyArn"));
            Assert.Equal("ssm.eu-west-1.amazonaws.com", template.Text(Map(Map(grant["Condition"])["StringEquals"])["kms:ViaService"]));
            Assert.DoesNotContain("key/*", File.ReadAllText(template.FilePath), StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Deployments), MemberType = typeof(SamTemplate))]
    public void Every_function_logs_to_its_own_group_kept_30_days(string deployment)
    {
        var template = Deployment(deployment);
        var groups = new HashSet<string>();
        foreach (var function in template.FunctionNames)
        {
            var logging = Map(template.Properties(function)["LoggingConfig"]);
            var group = (string)Map(logging["LogGroup"])["Ref"]!;
            Assert.True(groups.Add(group), $"{function} shares its log group");
            var properties = template.Properties(group);
            Assert.Equal("30", properties["RetentionInDays"]);
            Assert.Equal("/aws/lambda/" + template.Text(template.Properties(function)["FunctionName"]), template.Text(properties["LogGroupName"]));

            var logs = Assert.Single(template.Statements(template.RoleOf(function)), s => OneOrMany(s["Action"]).Contains("logs:PutLogEvents"));
            Assert.True(IsGetAtt(logs["Resource"], group, "Arn"), $"{function} may write only to its own log group");
        }

        Assert.All(template.OfType("AWS::Logs::LogGroup"), g => Assert.Equal("30", g.Value is var r ? Map(r["Properties"])["RetentionInDays"] : null));
    }

    [Theory]
    [MemberData(nameof(Deployments), MemberType = typeof(SamTemplate))]
    public void Every_required_alarm_exists_and_notifies_the_alarm_topic(string deployment)
    {
        var template = Deployment(deployment);
        var alarms = template.OfType("AWS::CloudWatch::Alarm").ToDictionary(a => a.Key, a => Map(a.Value["Properties"]));
        Assert.All(alarms, a =>
        {
            Assert.Contains(List(a.Value["AlarmActions"]), x => IsRef(x, "AlarmTopic"));
            Assert.Contains(List(a.Value["OKActions"]), x => IsRef(x, "AlarmTopic"));
        });

        bool Watches(Dictionary<string, object?> alarm, string ns, string metric, string dimension, string target) =>
            (string?)alarm.GetValueOrDefault("Namespace") == ns && (string?)alarm.GetValueOrDefault("MetricName") == metric
            && List(alarm["Dimensions"]).Select(Map).Any(d => (string?)d["Name"] == dimension && (IsRef(d["Value"], target) || d["Value"] as string == target));

        void Requires(string what, Func<Dictionary<string, object?>, bool> match) =>
            Assert.True(alarms.Values.Any(match), $"missing alarm: {what}");

        foreach (var function in template.FunctionNames)
        {
            Requires($"{function} errors", a => Watches(a, "AWS/Lambda", "Errors", "FunctionName", function));
            Requires($"{function} throttles", a => Watches(a, "AWS/Lambda", "Throttles", "FunctionName", function));
            Requires($"{function} duration near its timeout", a => Watches(a, "AWS/Lambda", "Duration", "FunctionName", function)
                && (string?)a["Statistic"] == "Maximum"
                && double.Parse(template.Text(a["Threshold"])!, CultureInfo.InvariantCulture)
                    == 0.8 * 1000 * double.Parse(template.Text(template.Properties(function)["Timeout"])!, CultureInfo.InvariantCulture));
        }

        Requires("HTTP API 5xx", a => Watches(a, "AWS/ApiGateway", "5xx", "ApiId", "HttpApi"));
        Requires("stream iterator age", a => Watches(a, "AWS/Lambda", "IteratorAge", "FunctionName", "WorkerFunction"));
        Requires("dead-lettered jobs", a => Watches(a, new MetricsOptions().Namespace, QueueMetrics.JobsDeadLettered, QueueMetrics.StageDimension, "Stage"));
        Requires("DynamoDB throttles on every table", a => a.TryGetValue("Metrics", out var metrics)
            && TablesBySuffix(template).Values.All(table => new[] { "ReadThrottleEvents", "WriteThrottleEvents" }.All(metric =>
                List(metrics).Select(Map).Where(m => m.ContainsKey("MetricStat")).Select(m => Map(Map(m["MetricStat"])["Metric"]))
                    .Any(m => (string?)m["Namespace"] == "AWS/DynamoDB" && (string?)m["MetricName"] == metric
                        && List(m["Dimensions"]).Select(Map).Any(d => IsRef(d["Value"], table))))));

        // The e-mail subscription exists only when there is an address.
        Assert.DoesNotContain("AlarmEmailSubscription", template.Resources.Keys);
        var subscription = Map(template.And("AlarmEmail", "ops@example.com").Resources["AlarmEmailSubscription"]);
        Assert.Equal("HasAlarmEmail", subscription["Condition"]);
        Assert.Equal("email", Map(subscription["Properties"])["Protocol"]);
        Assert.True(IsRef(Map(subscription["Properties"])["TopicArn"], "AlarmTopic"));
    }

    [Fact]
    public void The_dashboard_shows_functions_api_tables_and_the_job_queue()
    {
        var body = (string)Map(Template.Properties("Dashboard")["DashboardBody"])["Fn::Sub"]!;
        var names = CloudFormationYaml.SubVariables(body).Distinct().ToList();
        Assert.All(names, n => Assert.True(Template.Resources.ContainsKey(n) || n.StartsWith("AWS::", StringComparison.Ordinal) || Map(Template.Root["Parameters"]).ContainsKey(n), $"${{{n}}} is unknown"));

        var json = JsonNode.Parse(CloudFormationYaml.Substitute(body, names.ToDictionary(n => n, n => "x-" + n)))!;
        var metrics = json["widgets"]!.AsArray().SelectMany(w => w!["properties"]!["metrics"]!.AsArray()).Select(m => m!.AsArray()[1]!.GetValue<string>()).ToHashSet();
        foreach (var metric in new[] { "Invocations", "Errors", "Duration", "Count", "Latency", "ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits", "WriteThrottleEvents", QueueMetrics.JobsPending, QueueMetrics.JobsDeadLettered })
        {
            Assert.Contains(metric, metrics);
        }
    }

    [Fact]
    public void Outputs_give_the_two_webhook_urls_the_run_table_and_the_dashboard()
    {
        var subValues = new Dictionary<string, string>(Template.SubValues) { ["HttpApi"] = "abc123", ["Dashboard"] = "orchestrator-test" };
        string Expand(string name) => CloudFormationYaml.Substitute((string)Map(Map(Template.Outputs[name])["Value"])["Fn::Sub"]!, subValues);

        Assert.Equal("https://abc123.execute-api.eu-west-1.amazonaws.com/discord/interactions", Expand("DiscordWebhookUrl"));
        Assert.Equal("https://abc123.execute-api.eu-west-1.amazonaws.com/github/webhooks", Expand("GitHubWebhookUrl"));
        Assert.Equal("https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:name=orchestrator-test", Expand("DashboardUrl"));
        Assert.True(IsRef(Map(Template.Outputs["RunStateTableName"])["Value"], TablesBySuffix()[DynamoSchema.Runs.Suffix]));
        Assert.Equal("https://abc123.execute-api.eu-west-1.amazonaws.com/healthz", Expand("HealthUrl"));
    }

    [Fact]
    public void Tables_mirror_the_key_schema_in_DynamoSchema()
    {
        var prefix = Template.EnvironmentValue("WorkerFunction", "Orchestrator__Storage__DynamoDb__TablePrefix");
        Assert.Equal($"orchestrator-{TestStage}-", prefix);
        var tables = TablesBySuffix();
        Assert.Equal(DynamoSchema.All.Select(t => t.Suffix).Order(), tables.Keys.Order());

        foreach (var definition in DynamoSchema.All)
        {
            var table = Template.Properties(tables[definition.Suffix]);
            Assert.Equal(prefix + definition.Suffix, Template.Text(table["TableName"]));
            Assert.Equal("PAY_PER_REQUEST", table["BillingMode"]);
            Assert.Equal("true", Map(table["PointInTimeRecoverySpecification"])["PointInTimeRecoveryEnabled"]);
            Assert.Equal("true", Map(table["SSESpecification"])["SSEEnabled"]);
            var ttl = Map(table["TimeToLiveSpecification"]);
            Assert.Equal(DynamoSchema.TimeToLive, ttl["AttributeName"]);
            Assert.Equal("true", ttl["Enabled"]);

            Assert.Equal(
                definition.Attributes.Select(a => $"{a.Name}:{a.Type.Value}").Order(),
                List(table["AttributeDefinitions"]).Select(Map).Select(a => $"{a["AttributeName"]}:{a["AttributeType"]}").Order());
            Assert.Equal(KeySchema(definition.HashKey, definition.RangeKey), KeySchema(table["KeySchema"]));

            var indexes = table.TryGetValue("GlobalSecondaryIndexes", out var gsis) ? List(gsis).Select(Map).ToList() : [];
            Assert.Equal(definition.Indexes.Select(i => i.Name).Order(), indexes.Select(i => (string)i["IndexName"]!).Order());
            foreach (var index in definition.Indexes)
            {
                var declared = indexes.Single(i => (string?)i["IndexName"] == index.Name);
                Assert.Equal(KeySchema(index.HashKey, index.RangeKey), KeySchema(declared["KeySchema"]));
                var projection = Map(declared["Projection"]);
                Assert.Equal(index.Projection.Value, projection["ProjectionType"]);
                Assert.Equal(index.NonKeyAttributes, projection.TryGetValue("NonKeyAttributes", out var nonKey) ? List(nonKey).Cast<string>() : []);
            }

            var stream = table.TryGetValue("StreamSpecification", out var spec) ? (string?)Map(spec)["StreamViewType"] : null;
            Assert.Equal(definition.Stream?.Value, stream);
        }
    }

    [Fact]
    public void Job_stream_attributes_match_the_jobs_table_schema()
    {
        Assert.Equal(DynamoSchema.PartitionKey, DynamoSchema.Jobs.HashKey);
        Assert.Equal(JobStreamImage.QueueAttribute, DynamoSchema.Jobs.Indexes.Single().HashKey);
        Assert.Equal(JobStreamImage.DueAtAttribute, DynamoSchema.Jobs.Indexes.Single().RangeKey);
        Assert.Equal("NEW_IMAGE", DynamoSchema.Jobs.Stream?.Value);
    }

    [Fact]
    public void Aws_cfn_lint_finds_no_problem_in_the_template()
    {
        // AWS's cfn-lint (Python) expands the SAM transform with aws-sam-translator, then checks every resource against
        // the current CloudFormation schemas: property names and types, allowed values (e.g. runtimes), references,
        // GetAtt attributes, conditions, and best-practice rules. The machine image ships it (pip cfn-lint 1.51).
        var cfnLint = FindExecutable("cfn-lint");
        if (cfnLint is null)
        {
            Assert.Skip("cfn-lint (Python) is not installed on this machine; CI runs it with sam validate --lint.");
        }

        var (exitCode, output) = Run(cfnLint, ["--include-checks", "I", "--", Template.FilePath]);
        Assert.True(exitCode == 0, $"cfn-lint exited {exitCode}:\n{output}");
    }

    private static Dictionary<string, string> TablesBySuffix(SamTemplate? template = null) =>
        (template ?? Template).OfType("AWS::DynamoDB::Table").ToDictionary(
            t => (template ?? Template).Text(Map(t.Value["Properties"])["TableName"])![$"orchestrator-{TestStage}-".Length..],
            t => t.Key);

    private static List<string> KeySchema(string hash, string? range) =>
        range is null ? [$"HASH:{hash}"] : [$"HASH:{hash}", $"RANGE:{range}"];

    private static List<string> KeySchema(object? declared) =>
        [.. List(declared).Select(Map).Select(k => $"{k["KeyType"]}:{k["AttributeName"]}")];

    internal static string? FindExecutable(string name)
    {
        var home = System.Environment.GetEnvironmentVariable("HOME") ?? "/root";
        var directories = (System.Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append(Path.Combine(home, ".pyenv", "shims"))
            .Append(Path.Combine(home, ".local", "bin"));
        return directories.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
    }

    internal static (int ExitCode, string Output) Run(string file, IEnumerable<string> arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = TestTools.RepositoryRoot,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            return (-1, "timed out");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    [GeneratedRegex("(Token|Secret|Secrets|PublicKey|PrivateKey|Password|ApiKey)$", RegexOptions.IgnoreCase)]
    private static partial Regex SecretSetting();
}
