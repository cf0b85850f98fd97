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

        var settings = OptionsClasses().SelectMany(t => Settings(t.Type, t.Section)).ToList();

        Assert.NotEmpty(settings);
        var missing = settings.Where(s => !documented.Contains(s)).ToList();
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

    private static IEnumerable<string> Settings(Type type, string section)
    {
        var prefix = section.Replace(":", "__", StringComparison.Ordinal);
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.SetMethod!.IsPublic))
        {
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (propertyType.IsClass && propertyType.Namespace?.StartsWith("Orchestrator", StringComparison.Ordinal) == true)
            {
                foreach (var nested in Settings(propertyType, section + ":" + property.Name))
                {
                    yield return nested;
                }
            }
            else
            {
                yield return prefix + "__" + property.Name;
            }
        }
    }

    [GeneratedRegex(@"^#?\s*([A-Za-z0-9_]+)=(.*)$", RegexOptions.Multiline)]
    private static partial Regex EnvLine();

    [GeneratedRegex("(Token|Secrets?|PublicKey|PrivateKey|Password)$")]
    private static partial Regex SecretName();
}
