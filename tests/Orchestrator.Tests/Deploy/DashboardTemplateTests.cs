using System.Collections.Concurrent;
using System.Net;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orchestrator.Operations;
using Orchestrator.Runs;
using Orchestrator.Secrets;
using Orchestrator.Storage;
using Orchestrator.Storage.DynamoDb;
using Orchestrator.Tests.Infrastructure;
using static Orchestrator.Tests.Deploy.SamTemplate;

namespace Orchestrator.Tests.Deploy;

/// <summary>
/// The operator dashboard in the SAM template: off unless DashboardEnabled is "true", then its own function behind
/// the HTTP API's /admin routes, with a least-privilege role and its OAuth client secret from Parameter Store.
/// </summary>
public sealed class DashboardTemplateTests(DynaliteServer dynalite)
{
    private const string Function = "DashboardFunction";
    private const string EnabledKey = "Orchestrator__Dashboard__Enabled";

    [Fact]
    public void Without_the_parameter_there_is_no_dashboard_function_route_or_output_and_every_function_keeps_it_off()
    {
        // Arrange
        var template = Current;
        var parameter = Map(Map(template.Root["Parameters"])["DashboardEnabled"]);

        // Act
        var routes = Routes(template);

        // Assert
        Assert.Equal("false", parameter["Default"]);
        Assert.Equal(["true", "false"], List(parameter["AllowedValues"]).Cast<string>());
        Assert.False(template.Condition("DashboardOn"));
        Assert.DoesNotContain(Function, template.FunctionNames);
        Assert.DoesNotContain(template.Resources.Keys, r => r.StartsWith("Dashboard", StringComparison.Ordinal) && r != "Dashboard"); // "Dashboard" is the CloudWatch one
        Assert.DoesNotContain(routes, r => r.Path.StartsWith(DashboardEndpoints.Root, StringComparison.Ordinal));
        Assert.DoesNotContain("AdminUrl", template.Outputs.Keys);
        Assert.DoesNotContain("AdminOAuthCallbackUrl", template.Outputs.Keys);
        Assert.All(template.FunctionNames, f => Assert.Equal("false", template.EnvironmentValue(f, EnabledKey)));
    }

    [Fact]
    public void With_the_parameter_every_admin_route_reaches_the_dashboard_function_and_only_those_do()
    {
        // Arrange
        var template = WithDashboard;

        // Act
        var routes = Routes(template);

        // Assert: the three routes of before, untouched, and the dashboard's.
        var admin = routes.Where(r => r.Path.StartsWith(DashboardEndpoints.Root, StringComparison.Ordinal)).ToList();
        Assert.Equal(Routes(Current).Select(r => r.ToString()).Order(), routes.Except(admin).Select(r => r.ToString()).Order());
        Assert.Equal(["GET /admin", "GET /admin/{proxy+}", "POST /admin/{proxy+}"], admin.Select(r => $"{r.Method} {r.Path}").Order());
        Assert.All(admin, r => Assert.Equal(Function, r.Function));
        Assert.All(routes.Where(r => r.Function == Function), r => Assert.Contains(r, admin));
        Assert.True(template.Condition("DashboardOn"));
        Assert.Equal("DashboardOn", Map(Map(template.Root["Resources"])[Function])["Condition"]);
        Assert.All(template.FunctionNames, f => Assert.Equal(f == Function ? "true" : "false", template.EnvironmentValue(f, EnabledKey)));
    }

    [Fact]
    public void Every_endpoint_the_app_maps_under_admin_and_the_oauth_callback_has_a_route()
    {
        // Arrange: the app as the dashboard function runs it (sign-in configured), its endpoints read from routing.
        using var app = new AppFixture(new Dictionary<string, string?>
        {
            ["Orchestrator:Dashboard:Enabled"] = "true",
            ["Orchestrator:Dashboard:ClientId"] = "Iv1.0123456789abcdef",
            ["Orchestrator:Dashboard:ClientSecret"] = "not-a-real-secret",
        });
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith(DashboardEndpoints.Root, StringComparison.Ordinal))
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(m => (Method: m, Path: "/" + e.RoutePattern.RawText!.Trim('/'))))
            .Append((Method: "GET", Path: DashboardAuthentication.CallbackPath)) // GitHub's redirect back, answered by the OAuth handler
            .ToList();
        var routes = Routes(WithDashboard).Where(r => r.Function == Function).ToList();

        // Act
        var unrouted = endpoints.Where(e => !routes.Any(r => r.Matches(e.Method, e.Path))).ToList();

        // Assert
        Assert.True(endpoints.Count >= 10, $"only {endpoints.Count} dashboard endpoints found");
        Assert.True(unrouted.Count == 0, "No /admin route reaches: " + string.Join(", ", unrouted));
    }

    [Fact]
    public void The_oauth_callback_url_output_is_the_api_url_and_the_path_the_app_signs_in_at()
    {
        // Arrange
        var values = new Dictionary<string, string>(WithDashboard.SubValues) { ["HttpApi"] = "abc123" };
        string Expand(string name) => CloudFormationYaml.Substitute((string)Map(Map(WithDashboard.Outputs[name])["Value"])["Fn::Sub"]!, values);

        // Act
        var callback = Expand("AdminOAuthCallbackUrl");
        var admin = Expand("AdminUrl");

        // Assert
        Assert.Equal("https://abc123.execute-api.eu-west-1.amazonaws.com" + DashboardAuthentication.CallbackPath, callback);
        Assert.Equal("https://abc123.execute-api.eu-west-1.amazonaws.com" + DashboardEndpoints.Root, admin);
        Assert.Equal("https://abc123.execute-api.eu-west-1.amazonaws.com/github/webhooks", CloudFormationYaml.Substitute((string)Map(Map(WithDashboard.Outputs["GitHubWebhookUrl"])["Value"])["Fn::Sub"]!, values));
    }

    [Fact]
    public async Task Through_the_adapter_sign_in_sends_GitHub_the_api_url_as_the_callback_with_secure_cookies()
    {
        // Arrange: the app started with the function's environment (SQLite for DynamoDB, the secret as Parameter Store
        // would give it); requests as the Lambda Web Adapter relays them from the HTTP API: from loopback, with the
        // API's Host and X-Forwarded-Proto/-For.
        var ct = TestContext.Current.CancellationToken;
        var directory = Directory.CreateTempSubdirectory("orchestrator-dashboard-").FullName;
        var environment = WithDashboard.Environment(Function).ToDictionary(e => e.Key, e => WithDashboard.Text(e.Value));
        environment["AWS_LWA_PORT"] = null; // ServiceProcess binds PORT
        environment["Orchestrator__Secrets__ParameterStorePath"] = null;
        environment["Orchestrator__Secrets__ParameterNames"] = null;
        environment["Orchestrator__Dashboard__ClientSecret"] = "not-a-real-secret";
        environment["Orchestrator__Storage__Provider"] = nameof(StorageProvider.Sqlite);
        environment["Orchestrator__Storage__Sqlite__Path"] = Path.Combine(directory, "orchestrator.db");
        await using var service = await ServiceProcess.StartAsync(environment, directory, ct);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = service.BaseAddress };
        const string Api = "abc123.execute-api.eu-west-1.amazonaws.com";
        HttpRequestMessage Relayed(string path)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Host = Api;
            request.Headers.Add("X-Forwarded-Proto", "https");
            request.Headers.Add("X-Forwarded-For", "203.0.113.7");
            return request;
        }

        // Act
        using var signIn = Relayed(DashboardEndpoints.Root + "/signin");
        using var challenge = await http.SendAsync(signIn, ct);
        using var page = Relayed(DashboardEndpoints.Root);
        using var signedOut = await http.SendAsync(page, ct);

        // Assert
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        var location = challenge.Headers.Location!;
        Assert.StartsWith("https://github.com/login/oauth/authorize?", location.AbsoluteUri, StringComparison.Ordinal);
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(location.Query);
        Assert.Equal($"https://{Api}{DashboardAuthentication.CallbackPath}", query["redirect_uri"].ToString());
        Assert.Equal(DashboardParameters["DashboardClientId"], query["client_id"].ToString());
        var correlation = Assert.Single(challenge.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".AspNetCore.Correlation.", StringComparison.Ordinal));
        Assert.Contains("; secure", correlation, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.Unauthorized, signedOut.StatusCode); // signed out, and a relayed request is never "local"
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public void The_dashboard_role_may_read_what_the_pages_show_and_write_only_replays_retries_and_their_audit()
    {
        // Arrange
        var template = WithDashboard;
        var role = template.RoleOf(Function);

        // Act
        var grants = template.DynamoGrants(Function);
        var auditOnly = Assert.Single(template.Statements(role), s => s.ContainsKey("Condition") && OneOrMany(s["Action"]).Contains("dynamodb:PutItem"));

        // Assert: each read the pages make, the two repairs and their audit entries; nothing else (no delete, no batch
        // write, no stream, no table description).
        Assert.Equal(
            new[]
            {
                "dynamodb:BatchGetItem JobsTable", "dynamodb:BatchGetItem RunsTable",
                "dynamodb:GetItem InboxTable", "dynamodb:GetItem JobsTable", "dynamodb:GetItem RunsTable",
                "dynamodb:PutItem JobsTable", "dynamodb:PutItem RunsTable",
                "dynamodb:Query InboxTable", "dynamodb:Query JobsTable/index/due", "dynamodb:Query RunsTable", "dynamodb:Query RunsTable/index/gsi1",
                "dynamodb:Scan InboxTable",
                "dynamodb:UpdateItem JobsTable",
            }.Order(),
            grants);
        Assert.Equal(["dynamodb:PutItem"], OneOrMany(auditOnly["Action"]).Cast<string>());
        Assert.Equal(["audit#*", "audit@*", DynamoKeyRing.Partition], List(Map(Map(auditOnly["Condition"])["ForAllValues:StringLike"])["dynamodb:LeadingKeys"]).Cast<string>());
        Assert.Equal(
            ["logs:CreateLogStream", "logs:PutLogEvents", "ssm:GetParameters", "kms:Decrypt"],
            template.Statements(role).SelectMany(s => OneOrMany(s["Action"]).Cast<string>()).Where(a => !a.StartsWith("dynamodb:", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_dashboard_role_allows_every_call_the_pages_buttons_and_sign_in_make_and_no_other()
    {
        // Arrange: a run with audit entries, a delivery large enough to be stored in chunks, a dead letter and a
        // pending job, written by an unrecorded store; then the store as the dashboard function builds it, recorded.
        var ct = TestContext.Current.CancellationToken;
        var time = TimeProvider.System;
        var options = dynalite.Options();
        var seed = await dynalite.CreateStoreAsync(time, options);
        var run = await seed.Runs.CreateAsync(
            new Run(RunId.New(time), "octo/repo", RunState.Pending, time.GetUtcNow(), time.GetUtcNow(), [new PlannedIssue(7, "Fix it", "https://github.com/octo/repo/issues/7", [])], null, [new RunTask(7, TaskState.Queued, "corr-7")], Version: 0),
            ct);
        await seed.Audit.AppendAsync(new AuditEntry(time.GetUtcNow(), "discord:1", "ada", "run.approve", run.Id.Value, AuditOutcome.Succeeded, null), ct);
        var large = Encoding.UTF8.GetBytes($$"""{"action":"opened","noise":"{{Convert.ToBase64String(RandomNumberGenerator.GetBytes(400_000))}}"}""");
        await seed.Inbox.AcceptAsync(new WebhookDelivery("large-delivery", "issues", "opened", 1, time.GetUtcNow(), large), ct);
        await seed.Jobs.EnqueueAsync(new JobRequest("k", "doomed", "{}"), ct);
        var doomed = (await seed.Jobs.ClaimAsync("worker", TimeSpan.FromMinutes(1), 10, ct)).Single(j => j.IdempotencyKey == "doomed");
        Assert.True(await seed.Jobs.FailAsync(doomed, "boom", retryAt: null, ct));
        var waiting = await seed.Jobs.EnqueueAsync(new JobRequest("k", "waiting", "{}"), ct);
        var calls = new ConcurrentBag<(string Operation, string Table, string? Index, string? PartitionKey)>();
        var store = DynamoStore.Create(RecordingDynamo.Wrap(DynamoStore.CreateClient(options.DynamoDb), calls), options, time);
        var queries = new OperatorQueries(store.Runs, store.Inbox, store.Jobs, store.Operator, store.Audit, time);
        var actions = new OperatorActions(store.Inbox, store.Jobs, store.Operator, store.Audit, time);

        // Act: what each page, each button (done and refused) and a sign-in ask the store (DashboardEndpoints).
        await queries.QueueAsync(ct);
        await queries.ListRunsAsync(null, null, null, 100, ct);
        Assert.NotNull(await queries.GetRunAsync(run.Id.Value, ct));
        Assert.NotEmpty(await queries.ListDeliveriesAsync(null, null, duplicated: false, time.GetUtcNow().AddDays(-1), 100, ct));
        Assert.NotEmpty(await queries.ListJobsAsync(null, 100, ct));
        Assert.NotEmpty(await queries.ListAuditAsync(time.GetUtcNow().AddDays(-7), null, null, 200, ct));
        await actions.ReplayAsync("large-delivery", "github:ada", ct);
        await actions.RetryAsync(doomed.Id, "github:ada", ct);
        await Assert.ThrowsAsync<OperatorException>(() => actions.RetryAsync(waiting.JobId, "github:ada", ct));
        var keyRing = store.DataProtectionKeys!;
        keyRing.StoreElement(new XElement("key", new XAttribute("id", Guid.NewGuid())), "key-" + Guid.NewGuid());
        Assert.Single(keyRing.GetAllElements());

        // Assert: the calls made are exactly the grants (each grant is used; each call is allowed), and the runs
        // table is written only under the partitions the role's condition allows.
        Assert.Equal(WithDashboard.DynamoGrants(Function), RecordingDynamo.AsGrants(WithDashboard, calls, options.DynamoDb.TablePrefix!));
        var runsTable = options.DynamoDb.TablePrefix + DynamoSchema.Runs.Suffix;
        Assert.All(
            calls.Where(c => c.Operation == "PutItem" && c.Table == runsTable).Select(c => c.PartitionKey!),
            pk => Assert.Matches("^(audit#.+|audit@.+|" + DynamoKeyRing.Partition + ")$", pk));
    }

    [Fact]
    public void The_client_secret_is_read_from_parameter_store_and_is_no_template_parameter()
    {
        // Arrange
        var template = WithDashboard;
        var setting = DashboardOptions.Section + ":" + nameof(DashboardOptions.ClientSecret);

        // Act
        var names = template.EnvironmentValue(Function, "Orchestrator__Secrets__ParameterNames")!.Split(',');
        var path = template.EnvironmentValue(Function, "Orchestrator__Secrets__ParameterStorePath")!;
        var ssm = Assert.Single(template.Statements(template.RoleOf(Function)), s => OneOrMany(s["Action"]).Contains("ssm:GetParameters"));

        // Assert: the one parameter the function reads becomes Orchestrator:Dashboard:ClientSecret, and the role may
        // read that parameter alone.
        var name = Assert.Single(names);
        Assert.Equal(setting, ParameterStoreConfigurationProvider.ToConfigurationKey(path, path + name));
        Assert.Equal(["arn:aws:ssm:eu-west-1:123456789012:parameter/orchestrator/test/Dashboard/ClientSecret"], OneOrMany(ssm["Resource"]).Select(template.Text));

        // No parameter carries the secret (a parameter's value shows in the console and the stack's history), and no
        // environment variable does.
        Assert.DoesNotContain(Map(template.Root["Parameters"]).Keys, p => p.Contains("Secret", StringComparison.OrdinalIgnoreCase) && p != "SecretsPathPrefix" && p != "SecretsKmsKeyArn");
        Assert.DoesNotContain(Map(template.Root["Parameters"]).Values.Select(Map), p => p.ContainsKey("NoEcho"));
        Assert.DoesNotContain(template.Environment(Function).Keys, k => k.EndsWith("__ClientSecret", StringComparison.Ordinal));
    }

    [Fact]
    public void The_functions_environment_and_its_parameter_give_the_dashboard_the_options_it_needs()
    {
        // Arrange: the function's environment as the app reads it, plus the secret as Parameter Store provides it.
        var template = WithDashboard;
        var path = template.EnvironmentValue(Function, "Orchestrator__Secrets__ParameterStorePath")!;
        var settings = template.Environment(Function).ToDictionary(e => e.Key.Replace("__", ":", StringComparison.Ordinal), e => template.Text(e.Value));
        settings[ParameterStoreConfigurationProvider.ToConfigurationKey(path, path + "Dashboard/ClientSecret")!] = "from-parameter-store";

        // Act
        var options = Bind(settings);

        // Assert
        Assert.True(options.Enabled);
        Assert.True(options.OAuthConfigured);
        Assert.Equal(DashboardParameters["DashboardClientId"], options.ClientId);
        Assert.Equal(["ada", "grace"], options.AllowedUsers);
        Assert.Equal(["octo/ops"], options.AllowedTeams);
    }

    [Fact]
    public void An_empty_list_parameter_allows_nobody_rather_than_an_empty_login()
    {
        // Arrange
        var template = WithDashboard.And("DashboardAllowedTeams", string.Empty).And("DashboardAllowedUsers", " ada , ,grace ");
        var settings = template.Environment(Function).ToDictionary(e => e.Key.Replace("__", ":", StringComparison.Ordinal), e => template.Text(e.Value));

        // Act
        var options = Bind(settings);

        // Assert: no team, so sign-in does not ask for read:org.
        Assert.Empty(options.AllowedTeams);
        Assert.Equal(["ada", "grace"], options.AllowedUsers);
    }

    [Fact]
    public void The_template_refuses_a_dashboard_nobody_could_sign_in_to()
    {
        // Arrange, Act, Assert
        Assert.Empty(Refusals(Current));
        Assert.Empty(Refusals(Current.And("DashboardClientId", string.Empty)));
        Assert.Empty(Refusals(WithDashboard));
        Assert.Empty(Refusals(WithDashboard.And("DashboardAllowedUsers", string.Empty)));
        Assert.Empty(Refusals(WithDashboard.And("DashboardAllowedTeams", string.Empty)));
        Assert.Contains("DashboardClientId", Assert.Single(Refusals(WithDashboard.And("DashboardClientId", string.Empty))), StringComparison.Ordinal);
        Assert.Contains("DashboardAllowedUsers", Assert.Single(Refusals(WithDashboard.And("DashboardAllowedUsers", string.Empty).And("DashboardAllowedTeams", string.Empty))), StringComparison.Ordinal);
    }

    [Fact]
    public void The_only_lint_exception_is_the_nested_condition_SAM_writes_for_conditional_routes()
    {
        // Arrange
        var template = Current;

        // Act
        var exceptions = Map(template.Root["Resources"])
            .Where(r => Map(r.Value).GetValueOrDefault("Metadata") is Dictionary<string, object?> m && m.ContainsKey("cfn-lint"))
            .Select(r => $"{r.Key}: {Describe(Map(Map(Map(r.Value)["Metadata"])["cfn-lint"]))}")
            .ToList();

        // Assert
        Assert.False(template.Root.ContainsKey("Metadata"), "no template-wide cfn-lint exception");
        Assert.Equal(["HttpApi: {config: {ignore_checks: ['W1028']}}"], exceptions);
    }

    private static DashboardOptions Bind(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddDashboard(configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<DashboardOptions>>().Value;
    }

    /// <summary>The AssertDescription of each rule assertion this deployment fails (CloudFormation refuses the stack).</summary>
    private static List<string> Refusals(SamTemplate template) =>
        [.. Map(template.Root["Rules"]).Values.Select(Map)
            .Where(rule => !rule.TryGetValue("RuleCondition", out var condition) || template.Holds(condition))
            .SelectMany(rule => List(rule["Assertions"]).Select(Map))
            .Where(assertion => !template.Holds(assertion["Assert"]))
            .Select(assertion => (string)assertion["AssertDescription"]!)];

    private static List<Route> Routes(SamTemplate template) =>
        [.. template.FunctionNames.SelectMany(f => Map(template.Properties(f).GetValueOrDefault("Events") ?? new Dictionary<string, object?>()).Values
            .Select(Map)
            .Where(e => (string?)e["Type"] == "HttpApi")
            .Select(e => Map(e["Properties"]))
            .Select(p =>
            {
                Assert.True(IsRef(p["ApiId"], "HttpApi"), $"{f}'s route belongs to the one HTTP API");
                return new Route(f, (string)p["Method"]!, (string)p["Path"]!);
            }))];

    private sealed record Route(string Function, string Method, string Path)
    {
        /// <summary>As API Gateway matches a request: the method (or ANY), then the path, {proxy+} taking one or more segments.</summary>
        public bool Matches(string method, string path) =>
            (Method == "ANY" || Method.Equals(method, StringComparison.OrdinalIgnoreCase))
            && (Path.EndsWith("/{proxy+}", StringComparison.Ordinal)
                ? path.StartsWith(Path[..^"{proxy+}".Length], StringComparison.Ordinal) && path.Length > Path.Length - "{proxy+}".Length
                : path == Path);

        public override string ToString() => $"{Method} {Path} -> {Function}";
    }

    /// <summary>IAmazonDynamoDB that forwards every call and records its operation, table, index and written partition.</summary>
#pragma warning disable CA1852 // DispatchProxy derives the proxy type from this class, so it cannot be sealed.
    internal class RecordingDynamo : DispatchProxy
#pragma warning restore CA1852
    {
        private IAmazonDynamoDB _inner = null!;
        private ConcurrentBag<(string Operation, string Table, string? Index, string? PartitionKey)> _calls = null!;

        public static IAmazonDynamoDB Wrap(IAmazonDynamoDB inner, ConcurrentBag<(string Operation, string Table, string? Index, string? PartitionKey)> calls)
        {
            var proxy = Create<IAmazonDynamoDB, RecordingDynamo>();
            var recording = (RecordingDynamo)(object)proxy;
            recording._inner = inner;
            recording._calls = calls;
            return proxy;
        }

        /// <summary>The calls recorded, named as <see cref="SamTemplate.DynamoGrants"/> names grants: "dynamodb:Query RunsTable/index/gsi1".</summary>
        public static List<string> AsGrants(SamTemplate template, IEnumerable<(string Operation, string Table, string? Index, string? PartitionKey)> calls, string tablePrefix)
        {
            var tables = template.OfType("AWS::DynamoDB::Table").ToDictionary(t => template.Text(Map(t.Value["Properties"])["TableName"])![$"orchestrator-{TestStage}-".Length..], t => t.Key);
            return [.. calls
                .Select(c => $"dynamodb:{c.Operation} {tables[c.Table[tablePrefix.Length..]]}{(c.Index is null ? string.Empty : "/index/" + c.Index)}")
                .Distinct()
                .Order()];
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            var request = args?.FirstOrDefault();
            var operation = request?.GetType().Name is { } type && type.EndsWith("Request", StringComparison.Ordinal) ? type[..^"Request".Length] : null;
            foreach (var (table, index, pk) in request switch
            {
                GetItemRequest r => [(r.TableName, null, null)],
                PutItemRequest r => [(r.TableName, null, r.Item[DynamoSchema.PartitionKey].S)],
                UpdateItemRequest r => [(r.TableName, null, r.Key[DynamoSchema.PartitionKey].S)],
                DeleteItemRequest r => [(r.TableName, null, r.Key[DynamoSchema.PartitionKey].S)],
                QueryRequest r => [(r.TableName, r.IndexName, null)],
                ScanRequest r => [(r.TableName, r.IndexName, null)],
                BatchGetItemRequest r => r.RequestItems.Keys.Select(t => (t, (string?)null, (string?)null)).ToList(),
                BatchWriteItemRequest r => r.RequestItems.Keys.Select(t => (t, (string?)null, (string?)null)).ToList(),
                TransactWriteItemsRequest r => r.TransactItems.Select(i => (i.Put?.TableName ?? i.Update?.TableName ?? i.Delete?.TableName ?? i.ConditionCheck.TableName, (string?)null, (string?)null)).ToList(),
                DescribeTableRequest r => [(r.TableName, null, null)],
                _ => new List<(string, string?, string?)>(),
            })
            {
                _calls.Add((operation!, table, index, pk));
            }

            return targetMethod.Invoke(_inner, args);
        }
    }
}
