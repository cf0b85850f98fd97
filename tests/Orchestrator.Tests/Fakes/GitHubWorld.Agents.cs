namespace Orchestrator.Tests.Fakes;

/// <summary>What coding agents leave in a repository: branches, check runs, statuses, branch rules (issue 12).</summary>
public sealed partial class FakeRepository
{
    public string DefaultBranch { get; set; } = "main";

    /// <summary>Branch name → head sha.</summary>
    public Dictionary<string, string> Branches { get; } = new(StringComparer.Ordinal);

    public List<FakeCheckRun> CheckRuns { get; } = [];

    public List<FakeStatus> Statuses { get; } = [];

    /// <summary>Check names the repository's rulesets require on every branch (GET /rules/branches/{branch}).</summary>
    public List<string> RulesetRequiredChecks { get; } = [];

    /// <summary>Classic branch protection's required contexts per branch; a branch without an entry is unprotected (404).</summary>
    public Dictionary<string, List<string>> ProtectedBranches { get; } = new(StringComparer.Ordinal);

    /// <summary>The sha of a branch, made up (and kept) for a branch the test did not push.</summary>
    public string BranchSha(string branch)
    {
        if (!Branches.TryGetValue(branch, out var sha))
        {
            sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(FullName + ":" + branch)))[..40];
            Branches[branch] = sha;
        }

        return sha;
    }

    /// <summary>An agent pushes a branch (a new head sha each push).</summary>
    public string Push(string branch, string? sha = null)
    {
        Branches[branch] = sha ?? Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));
        return Branches[branch];
    }

    /// <summary>A pull request as an agent opens it: on its branch, from its account, draft or not.</summary>
    public FakeIssue OpenPullRequest(string title, string branch, string? body, string author, bool draft, string @base = "main")
    {
        var pull = AddPullRequest(title, branch, @base);
        pull.Body = body;
        pull.Author = author;
        pull.Draft = draft;
        pull.HeadSha = BranchSha(branch);
        return pull;
    }

    public FakeWorkflowRun AddRun(string name, string headBranch, string headSha, string @event, string status, string? conclusion, DateTimeOffset at)
    {
        var run = new FakeWorkflowRun(Id * 10_000 + Runs.Count + 1, 0, ".github/workflows/ci.yml", name, name, @event, headBranch, Runs.Count + 1, at)
        {
            Status = status,
            Conclusion = conclusion,
            HeadSha = headSha,
        };
        Runs.Add(run);
        return run;
    }
}

public sealed partial class FakeIssue
{
    /// <summary>The head commit of a pull request.</summary>
    public string HeadSha { get; set; } = new('0', 40);

    /// <summary>Pull requests of the same repository that mentioned this issue (the timeline's cross-referenced events).</summary>
    public List<int> CrossReferencedBy { get; } = [];
}

public sealed partial class FakeWorkflowRun
{
    public string HeadSha { get; set; } = new('0', 40);
}

public sealed record FakeCheckRun(long Id, string HeadSha, string Name, string Status, string? Conclusion);

public sealed record FakeStatus(string Sha, string Context, string State);
