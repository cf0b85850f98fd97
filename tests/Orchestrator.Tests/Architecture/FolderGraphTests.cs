using System.Text.RegularExpressions;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Architecture;

/// <summary>
/// Keeps the folders of src/Orchestrator one-way, bottom to top: the kernel (configuration, HTTP, telemetry, the run
/// model, storage, jobs), the adapters (Discord, GitHub), the product (Workflow), then composition (Health, Hosting,
/// Cli, Program.cs). A folder may name only folders of a lower layer, read from its using directives and its
/// namespace-qualified names (full, or partial such as <c>GitHub.GitHubApiException</c> inside Orchestrator).
/// </summary>
public sealed partial class FolderGraphTests
{
    /// <summary>Layer of each top-level folder; a folder may depend only on folders of a strictly lower layer.</summary>
    public static readonly IReadOnlyDictionary<string, int> Layers = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["Configuration"] = 0,
        ["Telemetry"] = 1,
        ["Secrets"] = 1,
        ["Http"] = 2,
        ["Runs"] = 3,
        ["Storage"] = 4,
        ["Jobs"] = 5,
        ["Discord"] = 6,
        ["GitHub"] = 6,
        ["Workflow"] = 7,
        ["Health"] = 8,
        ["Hosting"] = 9,
        ["Cli"] = 10,
        [""] = 11, // Program.cs
    };

    private static string Source => Path.Combine(TestTools.RepositoryRoot, "src", "Orchestrator");

    [Fact]
    public void Every_folder_has_a_layer()
    {
        var folders = Directory.GetDirectories(Source)
            .Select(Path.GetFileName)
            .Where(f => f is not ("bin" or "obj" or "Properties" or "data"))
            .Where(f => Directory.EnumerateFiles(Path.Combine(Source, f!), "*.cs", SearchOption.AllDirectories).Any());

        Assert.All(folders, f => Assert.True(Layers.ContainsKey(f!), $"src/Orchestrator/{f} has no layer in FolderGraphTests.Layers"));
    }

    [Fact]
    public void No_folder_depends_on_a_folder_above_it_or_beside_it()
    {
        var violations = Dependencies()
            .Where(d => Layers[d.To] >= Layers[d.From])
            .Select(d => $"{d.File} ({d.From}, layer {Layers[d.From]}) names {d.To} (layer {Layers[d.To]}) via '{d.Evidence}'")
            .ToList();

        Assert.True(violations.Count == 0, "The folder graph must read one way:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void The_reader_sees_each_kind_of_reference()
    {
        var typesByFolder = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal) { ["GitHub"] = ["GitHubApiException"], ["Runs"] = ["TaskState"] };

        Assert.Equal(["Workflow"], References("using Orchestrator.Workflow;\nnamespace Orchestrator.Jobs;", "Jobs", typesByFolder).Select(r => r.To));
        Assert.Equal(["GitHub"], References("namespace Orchestrator.Jobs;\nclass A { object e = new Orchestrator.GitHub.X(); }", "Jobs", typesByFolder).Select(r => r.To));
        Assert.Equal(["GitHub"], References("namespace Orchestrator.Jobs;\nclass A { void F(GitHub.GitHubApiException e) {} }", "Jobs", typesByFolder).Select(r => r.To));
        Assert.Empty(References("namespace Orchestrator.Jobs;\nclass A { void F() { updates.Runs.TaskState(); } }", "Jobs", typesByFolder));
        Assert.Empty(References("namespace Orchestrator.Jobs;\n// see Orchestrator.GitHub.X\nclass A { string s = \"Orchestrator.GitHub\"; }", "Jobs", typesByFolder));
    }

    private sealed record Dependency(string File, string From, string To, string Evidence);

    private static List<Dependency> Dependencies()
    {
        var files = Directory.EnumerateFiles(Source, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => (Path: f, Folder: FolderOf(f), Text: StripCommentsAndStrings(File.ReadAllText(f))))
            .ToList();

        // The public type names each folder declares, so that a partial qualification ("Runs.TaskState") is told
        // apart from a member access ("updates.Runs.FindAsync").
        var typesByFolder = files
            .GroupBy(f => f.Folder, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.SelectMany(f => DeclaredType().Matches(f.Text).Select(m => m.Groups[1].Value)).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);

        return [.. files.SelectMany(f => References(f.Text, f.Folder, typesByFolder)
            .Select(r => r with { File = Path.GetRelativePath(Source, f.Path) }))];
    }

    private static IEnumerable<Dependency> References(string text, string folder, Dictionary<string, HashSet<string>> typesByFolder)
    {
        text = StripCommentsAndStrings(text);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in QualifiedName().Matches(text))
        {
            var to = m.Groups[1].Value;
            if (to != folder && Layers.ContainsKey(to) && seen.Add(to))
            {
                yield return new Dependency(string.Empty, folder, to, m.Value);
            }
        }

        foreach (Match m in PartialName().Matches(text))
        {
            var to = m.Groups[1].Value;
            if (to != folder && typesByFolder.TryGetValue(to, out var types) && types.Contains(m.Groups[2].Value) && seen.Add(to))
            {
                yield return new Dependency(string.Empty, folder, to, m.Value);
            }
        }
    }

    private static string FolderOf(string path)
    {
        var relative = Path.GetRelativePath(Source, path);
        var separator = relative.IndexOf(Path.DirectorySeparatorChar, StringComparison.Ordinal);
        return separator < 0 ? string.Empty : relative[..separator];
    }

    /// <summary>Blanks comments and string literals (a doc comment may name any folder; a log message may too).</summary>
    private static string StripCommentsAndStrings(string text) =>
        CommentOrString().Replace(text, m => m.Value.StartsWith("//", StringComparison.Ordinal) || m.Value.StartsWith("/*", StringComparison.Ordinal) ? " " : "\"\"");

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/|@""(?:[^""]|"""")*""|""""""[\s\S]*?""""""|\$?""(?:\\.|[^""\\\n])*""|'(?:\\.|[^'\\\n])'", RegexOptions.Singleline)]
    private static partial Regex CommentOrString();

    [GeneratedRegex(@"\bOrchestrator\.(\w+)")]
    private static partial Regex QualifiedName();

    [GeneratedRegex(@"(?<![\w.])(\w+)\.(\w+)")]
    private static partial Regex PartialName();

    [GeneratedRegex(@"\b(?:class|record|struct|interface|enum)\s+(\w+)")]
    private static partial Regex DeclaredType();
}
