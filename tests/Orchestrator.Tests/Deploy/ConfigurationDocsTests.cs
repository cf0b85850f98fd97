using System.Reflection;
using System.Text.RegularExpressions;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Deploy;

/// <summary>The example configuration files stay true to the options classes and hold no real values.</summary>
public sealed partial class ConfigurationDocsTests
{
    [Fact]
    public void Env_example_lists_every_setting_of_every_options_class()
    {
        var text = File.ReadAllText(Path.Combine(TestTools.RepositoryRoot, ".env.example"));
        var documented = EnvLine().Matches(text).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

        var settings = OptionsClasses().SelectMany(t => Settings(t.Type, Regex.Escape(t.Section.Replace(":", "__", StringComparison.Ordinal)))).ToList();

        Assert.NotEmpty(settings);
        var missing = settings.Where(s => !documented.Any(d => Regex.IsMatch(d, "^" + s + "$"))).ToList();
        Assert.True(missing.Count == 0, "Missing from .env.example: " + string.Join(", ", missing));
    }

    [Fact]
    public void Env_example_sets_no_secret_value()
    {
        foreach (Match line in EnvLine().Matches(File.ReadAllText(Path.Combine(TestTools.RepositoryRoot, ".env.example"))))
        {
            if (SecretName().IsMatch(line.Groups[1].Value))
            {
                Assert.True(line.Groups[2].Value.Length == 0, $"{line.Groups[1].Value} has a value in .env.example");
            }
        }
    }

    [Fact]
    public void Samconfig_example_holds_placeholders_only()
    {
        var text = File.ReadAllText(Path.Combine(TestTools.RepositoryRoot, "deploy", "samconfig.toml.example"));

        Assert.Contains("<aws-region>", text, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\b\d{12}\b", text); // no account id
        Assert.DoesNotMatch(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[a-z]{2,}", text); // no real e-mail address
        Assert.DoesNotMatch(@"arn:aws[a-z-]*:kms:[a-z0-9-]+:\d", text);
        foreach (var stage in new[] { "dev", "prod" })
        {
            Assert.Contains($"[{stage}.deploy.parameters]", text, StringComparison.Ordinal);
            Assert.Contains($"stack_name = \"orchestrator-{stage}\"", text, StringComparison.Ordinal);
            Assert.Contains($"Stage=\\\"{stage}\\\"", text, StringComparison.Ordinal);
        }
    }

    private static IEnumerable<(Type Type, string Section)> OptionsClasses() =>
        typeof(Program).Assembly.GetTypes()
            .Select(t => (Type: t, Field: t.GetField("Section", BindingFlags.Public | BindingFlags.Static)))
            .Where(x => x.Field is { IsLiteral: true } && x.Field.FieldType == typeof(string))
            .Select(x => (x.Type, (string)x.Field!.GetRawConstantValue()!));

    /// <summary>
    /// The environment variable names of a class's settings, as patterns: a list item is "__{index}", a dictionary
    /// entry "__{key}" (the example picks the index and key).
    /// </summary>
    private static IEnumerable<string> Settings(Type type, string prefix)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var settable = property.SetMethod?.IsPublic == true;
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var path = prefix + "__" + property.Name;
            if (Collection(propertyType) is { } collection)
            {
                var item = path + (collection.IsDictionary ? "__[A-Za-z0-9-]+" : "__[0-9]+");
                foreach (var nested in IsOptionsClass(collection.Item) ? Settings(collection.Item, item) : [item])
                {
                    yield return nested;
                }
            }
            else if (settable && IsOptionsClass(propertyType))
            {
                foreach (var nested in Settings(propertyType, path))
                {
                    yield return nested;
                }
            }
            else if (settable)
            {
                yield return path;
            }
        }
    }

    private static bool IsOptionsClass(Type type) =>
        type.IsClass && type != typeof(string) && type.Namespace?.StartsWith("Orchestrator", StringComparison.Ordinal) == true;

    private static (bool IsDictionary, Type Item)? Collection(Type type)
    {
        if (type == typeof(string) || !type.IsGenericType)
        {
            return null;
        }

        var arguments = type.GetGenericArguments();
        var definition = type.GetGenericTypeDefinition();
        if (definition == typeof(IDictionary<,>) || definition == typeof(Dictionary<,>))
        {
            return (true, arguments[1]);
        }

        return definition == typeof(IList<>) || definition == typeof(List<>) || definition == typeof(IReadOnlyList<>)
            ? (false, arguments[0])
            : null;
    }

    [GeneratedRegex(@"^#?\s*([A-Za-z0-9_]+)=(.*)$", RegexOptions.Multiline)]
    private static partial Regex EnvLine();

    [GeneratedRegex("(Token|Secrets?|PublicKey|PrivateKey|Password)$")]
    private static partial Regex SecretName();
}
