using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Deploy;

/// <summary>
/// deploy/template.yaml, read once, as deployed with a set of parameter values: its Conditions evaluated, so a resource
/// or output whose Condition is false is absent. Helpers reach functions, roles and their effective settings.
/// </summary>
public sealed class SamTemplate
{
    public const string TestStage = "test";

    /// <summary>The values a stack with the dashboard on is deployed with (besides DashboardEnabled).</summary>
    public static readonly IReadOnlyDictionary<string, string> DashboardParameters = new Dictionary<string, string>
    {
        ["DashboardEnabled"] = "true",
        ["DashboardClientId"] = "Iv1.0123456789abcdef",
        ["DashboardAllowedUsers"] = "ada,grace",
        ["DashboardAllowedTeams"] = "octo/ops",
    };

    private static readonly Lazy<Dictionary<string, object?>> Parsed = new(() => CloudFormationYaml.Load(Path.Combine(TestTools.RepositoryRoot, "deploy", "template.yaml")));

    private static readonly Lazy<SamTemplate> Default = new(() => With(new Dictionary<string, string>()));

    private static readonly Lazy<SamTemplate> Dashboard = new(() => With(DashboardParameters));

    private readonly IReadOnlyDictionary<string, string> _parameters;

    private SamTemplate(IReadOnlyDictionary<string, string> parameters)
    {
        _parameters = parameters;
        FilePath = Path.Combine(TestTools.RepositoryRoot, "deploy", "template.yaml");
        Root = Parsed.Value;

        // Each parameter's default, then the test's stage and names, then what the caller deploys with.
        var values = Map(Root["Parameters"])
            .Where(p => Map(p.Value).ContainsKey("Default"))
            .ToDictionary(p => p.Key, p => (string)Map(p.Value)["Default"]!, StringComparer.Ordinal);
        values["Stage"] = TestStage;
        values["SecretsPathPrefix"] = "/orchestrator";
        values["WebAdapterLayerVersion"] = "28";
        foreach (var (name, value) in parameters)
        {
            Assert.True(Map(Root["Parameters"]).ContainsKey(name), $"the template has no parameter {name}");
            values[name] = value;
        }

        values["AWS::StackName"] = "orchestrator-" + TestStage;
        values["AWS::Region"] = "eu-west-1";
        values["AWS::Partition"] = "aws";
        values["AWS::AccountId"] = "123456789012";
        values["AWS::URLSuffix"] = "amazonaws.com";
        SubValues = values;
    }

    /// <summary>The template deployed with every parameter at its default (the dashboard off).</summary>
    public static SamTemplate Current => Default.Value;

    /// <summary>The template deployed with <see cref="DashboardParameters"/>.</summary>
    public static SamTemplate WithDashboard => Dashboard.Value;

    /// <summary>Both deployments: rules that hold for every function must hold in each.</summary>
    public static TheoryData<string> Deployments => ["default", "dashboard"];

    public static SamTemplate Deployment(string name) => name switch
    {
        "default" => Current,
        "dashboard" => WithDashboard,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown deployment."),
    };

    /// <summary>The template deployed with these parameter values (the others at their defaults).</summary>
    public static SamTemplate With(IReadOnlyDictionary<string, string> parameters) => new(parameters);

    /// <summary>This deployment with one more parameter value.</summary>
    public SamTemplate And(string parameter, string value) =>
        With(new Dictionary<string, string>(_parameters, StringComparer.Ordinal) { [parameter] = value });

    public string FilePath { get; }

    /// <summary>The template as written: every resource, condition and intrinsic function.</summary>
    public Dictionary<string, object?> Root { get; }

    /// <summary>The resources this deployment creates (a resource whose Condition is false is absent).</summary>
    public Dictionary<string, object?> Resources => Created(Root["Resources"]);

    /// <summary>The outputs this deployment has (an output whose Condition is false is absent).</summary>
    public Dictionary<string, object?> Outputs => Created(Root["Outputs"]);

    public Dictionary<string, object?> GlobalFunction => Map(Map(Root["Globals"])["Function"]);

    /// <summary>The parameter values (and pseudo parameters) of this deployment, which also expand !Sub strings in assertions.</summary>
    public IReadOnlyDictionary<string, string> SubValues { get; }

    /// <summary>Whether the named condition of the Conditions section holds for this deployment.</summary>
    public bool Condition(string name) => Holds(Map(Root["Conditions"])[name]);

    /// <summary>Evaluates a condition expression (Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition) with this deployment's values.</summary>
    public bool Holds(object? expression)
    {
        var (function, args) = Map(expression).Single();
        return function switch
        {
            "Condition" => Condition((string)args!),
            "Fn::Equals" => List(args) is [var left, var right] && Text(left) == Text(right),
            "Fn::Not" => !Holds(Assert.Single(List(args))),
            "Fn::And" => List(args).All(Holds),
            "Fn::Or" => List(args).Any(Holds),
            _ => throw new InvalidDataException($"Cannot evaluate {function} as a condition."),
        };
    }

    public IEnumerable<KeyValuePair<string, Dictionary<string, object?>>> OfType(string type) =>
        Resources.Where(r => (string?)Map(r.Value)["Type"] == type).Select(r => KeyValuePair.Create(r.Key, Map(r.Value)));

    public IReadOnlyList<string> FunctionNames => [.. OfType("AWS::Serverless::Function").Select(f => f.Key)];

    public Dictionary<string, object?> Properties(string resource) => Map(Map(Resources[resource])["Properties"]);

    /// <summary>A function property as deployed: the function's own value, else the Globals value.</summary>
    public object? FunctionProperty(string function, string name) =>
        Properties(function).TryGetValue(name, out var own) ? own : GlobalFunction.GetValueOrDefault(name);

    /// <summary>The function's environment as deployed: Globals variables overlaid with the function's own.</summary>
    public Dictionary<string, object?> Environment(string function)
    {
        var merged = new Dictionary<string, object?>(Variables(GlobalFunction), StringComparer.Ordinal);
        foreach (var (key, value) in Variables(Properties(function)))
        {
            merged[key] = value;
        }

        return merged;
    }

    /// <summary>An environment value as a plain string (a !Sub expanded with <see cref="SubValues"/>).</summary>
    public string? EnvironmentValue(string function, string name) =>
        Environment(function).TryGetValue(name, out var value) ? Text(value) : null;

    public string? Text(object? value) => value switch
    {
        null => null,
        string s => s,
        Dictionary<string, object?> d when d.TryGetValue("Fn::If", out var args) => Text(List(args)[Condition((string)List(args)[0]!) ? 1 : 2]),
        Dictionary<string, object?> d when d.TryGetValue("Fn::Sub", out var sub) && sub is string template =>
            CloudFormationYaml.Substitute(template, SubValues),
        Dictionary<string, object?> d when d.TryGetValue("Ref", out var reference) && SubValues.TryGetValue((string)reference!, out var v) => v,
        Dictionary<string, object?> d when d.TryGetValue("Fn::FindInMap", out var args) => FindInMap(List(args)),
        _ => throw new InvalidDataException($"Cannot read {Describe(value)} as text."),
    };

    public string FindInMap(List<object?> args)
    {
        var mapping = Map(Map(Root["Mappings"])[(string)args[0]!]);
        return (string)Map(mapping[(string)args[1]!])[(string)args[2]!]!;
    }

    /// <summary>Every statement of every inline policy of a role; a conditional statement (Fn::If) counts with the statements of both branches.</summary>
    public IEnumerable<Dictionary<string, object?>> Statements(string role) =>
        List(Properties(role).GetValueOrDefault("Policies") ?? new List<object?>())
            .SelectMany(policy => List(Map(Map(policy)["PolicyDocument"])["Statement"]))
            .SelectMany(Branches)
            .Select(Map);

    /// <summary>The statement itself, or the statements of a Fn::If's two branches (AWS::NoValue dropped).</summary>
    public static IEnumerable<object?> Branches(object? statement) =>
        statement is Dictionary<string, object?> d && d.TryGetValue("Fn::If", out var args)
            ? List(args).Skip(1).Where(b => !IsRef(b, "AWS::NoValue"))
            : [statement];

    /// <summary>Each DynamoDB action a function's role allows, with each resource it allows it on: "dynamodb:Query RunsTable/index/gsi1".</summary>
    public List<string> DynamoGrants(string function) =>
        [.. Statements(RoleOf(function))
            .Where(s => OneOrMany(s["Action"]).Cast<string>().Any(a => a.StartsWith("dynamodb:", StringComparison.Ordinal)))
            .SelectMany(s => OneOrMany(s["Action"]).Cast<string>().SelectMany(a => OneOrMany(s["Resource"]).Select(r => $"{a} {ArnName(r)}")))
            .Distinct()
            .Order()];

    /// <summary>"JobsTable" for !GetAtt JobsTable.Arn, or "JobsTable/index/due" for !Sub ${JobsTable.Arn}/index/due.</summary>
    public static string ArnName(object? resource) => resource switch
    {
        Dictionary<string, object?> d when d.TryGetValue("Fn::GetAtt", out var a) && (string?)List(a)[1] == "Arn" => (string)List(a)[0]!,
        Dictionary<string, object?> d when d.TryGetValue("Fn::Sub", out var s) && s is string sub && sub.StartsWith("${", StringComparison.Ordinal) =>
            sub[2..sub.IndexOf(".Arn}", StringComparison.Ordinal)] + sub[(sub.IndexOf('}', StringComparison.Ordinal) + 1)..],
        _ => Describe(resource),
    };

    public string RoleOf(string function)
    {
        var role = Map(Properties(function)["Role"]);
        var getAtt = List(role["Fn::GetAtt"]);
        Assert.Equal("Arn", getAtt[1]);
        return (string)getAtt[0]!;
    }

    public static Dictionary<string, object?> Map(object? value) =>
        value as Dictionary<string, object?> ?? throw new InvalidDataException($"Expected a mapping, got {Describe(value)}.");

    public static List<object?> List(object? value) =>
        value as List<object?> ?? throw new InvalidDataException($"Expected a list, got {Describe(value)}.");

    /// <summary>A value that may be one item or a list of items, as IAM's Action and Resource are.</summary>
    public static List<object?> OneOrMany(object? value) => value as List<object?> ?? [value];

    public static bool IsRef(object? value, string name) =>
        value is Dictionary<string, object?> d && d.TryGetValue("Ref", out var target) && (string?)target == name;

    public static bool IsGetAtt(object? value, string resource, string attribute) =>
        value is Dictionary<string, object?> d && d.TryGetValue("Fn::GetAtt", out var args)
        && args is List<object?> list && (string?)list[0] == resource && (string?)list[1] == attribute;

    public static string Describe(object? value) => value switch
    {
        null => "null",
        string s => $"'{s}'",
        Dictionary<string, object?> d => "{" + string.Join(", ", d.Select(p => $"{p.Key}: {Describe(p.Value)}")) + "}",
        List<object?> l => "[" + string.Join(", ", l.Select(Describe)) + "]",
        _ => value.ToString() ?? string.Empty,
    };

    private Dictionary<string, object?> Created(object? section) =>
        Map(section)
            .Where(entry => Map(entry.Value).GetValueOrDefault("Condition") is not string condition || Condition(condition))
            .ToDictionary(StringComparer.Ordinal);

    private static Dictionary<string, object?> Variables(Dictionary<string, object?> properties) =>
        properties.TryGetValue("Environment", out var environment) && environment is not null
            ? Map(Map(environment)["Variables"])
            : [];
}
