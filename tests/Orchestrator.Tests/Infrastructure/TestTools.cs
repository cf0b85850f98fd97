namespace Orchestrator.Tests.Infrastructure;

/// <summary>Locates the repository and the Node packages that the test project's build installs into tools/.</summary>
public static class TestTools
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string NodeModules => Path.Combine(RepositoryRoot, "tools", "node_modules");

    public static string WebhookExamples => Path.Combine(NodeModules, "@octokit", "webhooks-examples", "api.github.com", "index.json");

    public static string GitHubOpenApi => Path.Combine(NodeModules, "@octokit", "openapi", "generated", "api.github.com.json");

    /// <summary>The project's own copy of Discord's OpenAPI description (tests/Orchestrator.Tests/Specs/discord, see its README).</summary>
    public static string DiscordOpenApi => Path.Combine(RepositoryRoot, "tests", "Orchestrator.Tests", "Specs", "discord", "openapi.json");

    /// <summary>The project's own copy of OpenAI's OpenAPI description (tests/Orchestrator.Tests/Specs/openai, see its README).</summary>
    public static string OpenAiOpenApi => Path.Combine(RepositoryRoot, "tests", "Orchestrator.Tests", "Specs", "openai", "openapi.json");

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Orchestrator.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Cannot find Orchestrator.slnx above " + AppContext.BaseDirectory);
    }
}
