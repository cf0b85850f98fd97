using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Deploy;

/// <summary>deploy/template.yaml, read once, with helpers to reach functions, roles and their effective settings.</summary>
public sealed class SamTemplate
{
    public const string TestStage = "test";

    private static readonly Lazy<SamTemplate> Instance = new(() => new SamTemplate(Path.Combine(TestTools.RepositoryRoot, "deploy", "template.yaml")));

    private SamTemplate(string path)
    {
        FilePath = path;
        Root = CloudFormationYaml.Load(path);
    }

    public static SamTemplate Current => Instance.Value;

    public string FilePath { get; }

    public Dictionary<string, object?> Root { get; }

    public Dictionary<string, object?> Resources => Map(Root["Resources"]);

    public Dictionary<string, object?> Outputs => Map(Root["Outputs"]);

    public Dictionary<string, object?> GlobalFunction => Map(Map(Root["Globals"])["Function"]);

    /// <summary>The values used to expand !Sub strings in assertions.</summary>
    public IReadOnlyDictionary<string, string> SubValues { get; } = new Dictionary<string, string>
    {
        ["Stage"] = TestStage,
        ["AWS::StackName"] = "orchestrator-" + TestStage,
        ["SecretsPathPrefix"] = "/orchestrator",
        ["WebAdapterLayerVersion"] = "28",
        ["AWS::Region"] = "eu-west-1",
        ["AWS::Partition"] = "aws",
        ["AWS::AccountId"] = "123456789012",
        ["AWS::URLSuffix"] = "amazonaws.com",
    };

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

    private static Dictionary<string, object?> Variables(Dictionary<string, object?> properties) =>
        properties.TryGetValue("Environment", out var environment) && environment is not null
            ? Map(Map(environment)["Variables"])
            : [];
}
