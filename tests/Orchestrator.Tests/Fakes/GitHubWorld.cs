namespace Orchestrator.Tests.Fakes;

/// <summary>A repository in <see cref="GitHubFake"/>'s world. Tests arrange it directly and read it back to assert effects.</summary>
public sealed partial class FakeRepository
{
    private readonly TimeProvider _time;
    private int _nextNumber = 1;

    internal FakeRepository(string owner, string name, long id, TimeProvider time)
    {
        Owner = owner;
        Name = name;
        Id = id;
        _time = time;
    }

    public string Owner { get; }

    public string Name { get; }

    public string FullName => $"{Owner}/{Name}";

    public long Id { get; }

    /// <summary>Issues and pull requests share one number sequence, as on GitHub.</summary>
    public List<FakeIssue> Issues { get; } = [];

    public List<FakeWorkflow> Workflows { get; } = [];

    public List<FakeWorkflowRun> Runs { get; } = [];

    public FakeIssue AddIssue(string title, string? body = null, params string[] labels) => Add(title, body, labels, pullRequest: false);

    public FakeIssue AddPullRequest(string title, string head = "feature", string @base = "main", params string[] labels)
    {
        var pull = Add(title, null, labels, pullRequest: true);
        pull.Head = head;
        pull.Base = @base;
        return pull;
    }

    /// <summary>
    /// A workflow file. <paramref name="runName"/> is the workflow's <c>run-name</c>, in which
    /// <c>${{ inputs.NAME }}</c> is replaced by the dispatch's input, as GitHub Actions does.
    /// <paramref name="inputs"/> are the inputs it declares; a dispatch with others is refused with 422.
    /// </summary>
    public FakeWorkflow AddWorkflow(string file, string name, string? runName = null, params string[] inputs)
    {
        var workflow = new FakeWorkflow(Id * 1000 + Workflows.Count + 1, $".github/workflows/{file}", name, runName, inputs);
        Workflows.Add(workflow);
        return workflow;
    }

    public FakeIssue Issue(int number) => Issues.Single(i => i.Number == number);

    private FakeIssue Add(string title, string? body, string[] labels, bool pullRequest)
    {
        var now = _time.GetUtcNow();
        var issue = new FakeIssue(Id * 100_000 + _nextNumber, _nextNumber, title, body, pullRequest, now);
        _nextNumber++;
        issue.Labels.AddRange(labels);
        Issues.Add(issue);
        return issue;
    }
}

public sealed partial class FakeIssue(long id, int number, string title, string? body, bool isPullRequest, DateTimeOffset createdAt)
{
    public long Id { get; } = id;

    public int Number { get; } = number;

    public string Title { get; set; } = title;

    public string? Body { get; set; } = body;

    public bool IsPullRequest { get; } = isPullRequest;

    /// <summary>"open" or "closed".</summary>
    public string State { get; set; } = "open";

    public string? StateReason { get; set; }

    public List<string> Labels { get; } = [];

    public List<string> Assignees { get; } = [];

    public List<FakeComment> Comments { get; } = [];

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public DateTimeOffset UpdatedAt { get; set; } = createdAt;

    public DateTimeOffset? ClosedAt { get; set; }

    public string Author { get; set; } = "octocat";

    // Pull request fields (meaningful when IsPullRequest).
    public string Head { get; set; } = "feature";

    public string Base { get; set; } = "main";

    public bool Draft { get; set; }

    public bool Merged { get; set; }

    /// <summary>Merges the pull request: closed, with merged_at, as GitHub shows a merge.</summary>
    public void Merge(DateTimeOffset at)
    {
        Merged = true;
        State = "closed";
        ClosedAt = at;
        UpdatedAt = at;
    }
}

public sealed record FakeComment(long Id, string Body, string Author, DateTimeOffset CreatedAt);

public sealed class FakeWorkflow(long id, string path, string name, string? runName, IReadOnlyList<string> inputs)
{
    public long Id { get; } = id;

    /// <summary>".github/workflows/deliver.yml".</summary>
    public string Path { get; } = path;

    public string FileName => System.IO.Path.GetFileName(Path);

    public string Name { get; } = name;

    public string? RunName { get; } = runName;

    public IReadOnlyList<string> Inputs { get; } = inputs;
}

public sealed partial class FakeWorkflowRun(long id, long workflowId, string path, string name, string displayTitle, string @event, string headBranch, int runNumber, DateTimeOffset createdAt)
{
    public long Id { get; } = id;

    public long WorkflowId { get; } = workflowId;

    public string Path { get; } = path;

    public string Name { get; } = name;

    public string DisplayTitle { get; } = displayTitle;

    public string Event { get; } = @event;

    public string HeadBranch { get; } = headBranch;

    public int RunNumber { get; } = runNumber;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public DateTimeOffset UpdatedAt { get; set; } = createdAt;

    /// <summary>queued, in_progress or completed.</summary>
    public string Status { get; set; } = "queued";

    /// <summary>success, failure, cancelled, … once completed.</summary>
    public string? Conclusion { get; set; }

    public IReadOnlyDictionary<string, string> Inputs { get; init; } = new Dictionary<string, string>();
}

/// <summary>A GitHub App installation: which repositories its tokens may touch.</summary>
public sealed record FakeInstallation(long Id, long AppId, string Account, IReadOnlyList<string> Repositories);

/// <summary>An installation access token the fake issued.</summary>
public sealed record FakeInstallationToken(string Token, long InstallationId, DateTimeOffset ExpiresAt)
{
    public override string ToString() => $"FakeInstallationToken {{ InstallationId = {InstallationId}, ExpiresAt = {ExpiresAt:O} }}";
}
