namespace Orchestrator.GitHub;

/// <summary>"owner/name" helpers.</summary>
public static class GitHubRepository
{
    public static (string Owner, string Name) Split(string repository)
    {
        var parts = repository.Split('/');
        if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            throw new ArgumentException($"'{repository}' is not a repository; expected \"owner/name\".", nameof(repository));
        }

        return (parts[0], parts[1]);
    }
}
