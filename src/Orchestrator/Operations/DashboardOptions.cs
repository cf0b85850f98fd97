using System.ComponentModel.DataAnnotations;

namespace Orchestrator.Operations;

/// <summary>Orchestrator:Dashboard: the read-only operator pages at /admin and who may see them.</summary>
public sealed class DashboardOptions
{
    public const string Section = "Orchestrator:Dashboard";

    /// <summary>Off by default. Without OAuth it answers only on loopback (local use) and says so.</summary>
    public bool Enabled { get; set; }

    /// <summary>The GitHub OAuth app's client id; with <see cref="ClientSecret"/> it turns sign-in with GitHub on.</summary>
    public string? ClientId { get; set; }

    /// <summary>The GitHub OAuth app's client secret (a secret: keep it in Parameter Store or user secrets).</summary>
    public string? ClientSecret { get; set; }

    /// <summary>Where GitHub's sign-in pages are (github.com, or a GitHub Enterprise Server host).</summary>
    public Uri OAuthBaseUrl { get; set; } = new("https://github.com/");

    /// <summary>GitHub logins allowed in (case-insensitive). An entry may hold several, comma-separated.</summary>
    public IList<string> AllowedUsers { get; } = [];

    /// <summary>
    /// Teams whose active members are allowed in, as org/team-slug (needs the read:org scope, asked for when set). An
    /// entry may hold several, comma-separated.
    /// </summary>
    public IList<string> AllowedTeams { get; } = [];

    /// <summary>How often the pages reload themselves, in seconds (0: never).</summary>
    [Range(0, 3600)]
    public int RefreshSeconds { get; set; } = 10;

    public bool OAuthConfigured => !string.IsNullOrWhiteSpace(ClientId) && !string.IsNullOrWhiteSpace(ClientSecret);

    /// <summary>
    /// Splits comma-separated entries and drops empty ones: one setting can then hold the whole list, as the SAM
    /// template passes it (Orchestrator__Dashboard__AllowedUsers__0=ada,grace), and an empty one means nobody.
    /// </summary>
    public void SplitLists()
    {
        Split(AllowedUsers);
        Split(AllowedTeams);
    }

    private static void Split(IList<string> entries)
    {
        var split = entries.SelectMany(e => e.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        entries.Clear();
        foreach (var entry in split)
        {
            entries.Add(entry);
        }
    }
}
