using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Tests.Deploy;

/// <summary>
/// Reads a CloudFormation/SAM YAML template into plain values: strings, ordered maps and lists, with every short-form
/// intrinsic (!Ref, !Sub, !GetAtt, ...) turned into its long form ({"Ref": ...}, {"Fn::Sub": ...}), as CloudFormation
/// itself does. An unknown tag is an error, so a typo such as !Reff fails the tests.
/// </summary>
public static partial class CloudFormationYaml
{
    private static readonly Dictionary<string, string> ShortTags = new(StringComparer.Ordinal)
    {
        ["!Ref"] = "Ref",
        ["!Condition"] = "Condition",
        ["!Sub"] = "Fn::Sub",
        ["!GetAtt"] = "Fn::GetAtt",
        ["!Join"] = "Fn::Join",
        ["!Select"] = "Fn::Select",
        ["!Split"] = "Fn::Split",
        ["!If"] = "Fn::If",
        ["!Equals"] = "Fn::Equals",
        ["!Not"] = "Fn::Not",
        ["!And"] = "Fn::And",
        ["!Or"] = "Fn::Or",
        ["!FindInMap"] = "Fn::FindInMap",
        ["!Base64"] = "Fn::Base64",
        ["!Cidr"] = "Fn::Cidr",
        ["!GetAZs"] = "Fn::GetAZs",
        ["!ImportValue"] = "Fn::ImportValue",
        ["!Transform"] = "Fn::Transform",
    };

    public static Dictionary<string, object?> Load(string path)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            stream.Load(reader);
        }

        return Convert(stream.Documents.Single().RootNode) as Dictionary<string, object?>
            ?? throw new InvalidDataException($"{path} is not a YAML mapping.");
    }

    /// <summary>Replaces each ${Name} of a Fn::Sub string (without a variable map) by <paramref name="values"/>[Name].</summary>
    public static string Substitute(string template, IReadOnlyDictionary<string, string> values) =>
        SubVariable().Replace(template, m => values.TryGetValue(m.Groups[1].Value, out var value)
            ? value
            : throw new KeyNotFoundException($"No value for ${{{m.Groups[1].Value}}} in '{template}'."));

    /// <summary>The names referenced as ${Name} in a Fn::Sub string.</summary>
    public static IEnumerable<string> SubVariables(string template) =>
        SubVariable().Matches(template).Select(m => m.Groups[1].Value);

    private static object? Convert(YamlNode node)
    {
        object? value = node switch
        {
            YamlScalarNode scalar => scalar.Value,
            YamlSequenceNode sequence => sequence.Children.Select(Convert).ToList(),
            YamlMappingNode mapping => mapping.Children.ToDictionary(
                pair => ((YamlScalarNode)pair.Key).Value ?? string.Empty,
                pair => Convert(pair.Value),
                StringComparer.Ordinal),
            _ => throw new InvalidDataException($"Unsupported YAML node {node.GetType().Name} at {node.Start}."),
        };

        if (node.Tag.IsEmpty || node.Tag.Value is "tag:yaml.org,2002:str")
        {
            return value;
        }

        if (!ShortTags.TryGetValue(node.Tag.Value, out var function))
        {
            throw new InvalidDataException($"Unknown tag {node.Tag.Value} at {node.Start}.");
        }

        // !GetAtt Resource.Attribute is the one short form whose scalar splits into a list.
        if (function == "Fn::GetAtt" && value is string dotted)
        {
            var dot = dotted.IndexOf('.', StringComparison.Ordinal);
            value = new List<object?> { dotted[..dot], dotted[(dot + 1)..] };
        }

        return new Dictionary<string, object?>(StringComparer.Ordinal) { [function] = value };
    }

    [GeneratedRegex(@"\$\{([A-Za-z0-9_:.]+)\}")]
    private static partial Regex SubVariable();
}
