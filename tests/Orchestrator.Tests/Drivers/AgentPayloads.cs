using System.Text.Json.Nodes;
using Orchestrator.Tests.Fakes;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Drivers;

/// <summary>
/// Webhook payloads of coding agents' flows, each from GitHub's published examples (@octokit/webhooks-examples) with the
/// scenario's numbers patched in: the fake world's pull request, branch, head sha and check names.
/// </summary>
public static class AgentPayloads
{
    /// <summary>pull_request for a pull request of the fake world (number, title, body, head, draft, merged as the world has them).</summary>
    public static JsonObject PullRequest(string action, FakeIssue pull)
    {
        var payload = DailyLoopDriver.PullRequest(action, pull.Number, pull.Body ?? string.Empty, pull.HeadSha, pull.Head, pull.Merged);
        var pr = payload["pull_request"]!.AsObject();
        pr["title"] = pull.Title;
        pr["draft"] = pull.Draft;
        pr["state"] = pull.State;
        pr["base"]!["ref"] = pull.Base;
        pr["user"]!["login"] = pull.Author;
        return payload;
    }

    /// <summary>A completed workflow_run of a head (e.g. conclusion action_required: it waits for approval).</summary>
    public static JsonObject WorkflowRun(FakeWorkflowRun run) =>
        DailyLoopDriver.WorkflowRun(run.Id, run.Name, run.DisplayTitle, run.Conclusion ?? "success", run.HeadSha);

    /// <summary>A completed check_run of a head.</summary>
    public static JsonObject CheckRun(string sha, string name, string conclusion)
    {
        var payload = WebhookExamples.Get("check_run", "completed");
        Repository(payload);
        var run = payload["check_run"]!.AsObject();
        run["head_sha"] = sha;
        run["name"] = name;
        run["status"] = "completed";
        run["conclusion"] = conclusion;
        return payload;
    }

    /// <summary>create of a branch (what an agent's first push sends).</summary>
    public static JsonObject BranchCreated(string branch)
    {
        var payload = WebhookExamples.Get("create");
        Repository(payload);
        payload["ref"] = branch;
        payload["ref_type"] = "branch";
        return payload;
    }

    /// <summary>issue_comment (created or edited) on an issue by an account, e.g. claude[bot]'s tracking comment.</summary>
    /// <summary>claude-code-action's tracking comment once the agent failed (its error header and the error in a code block).</summary>
    public const string ClaudeErrorComment = "**Claude encountered an error after 1m 12s** —— [View job](https://github.com/octo/app/actions/runs/1)\n\n```\nAPI Error: 529 Overloaded\n```\n\n---\n";

    public static JsonObject IssueComment(string action, int issue, string body, string author)
    {
        var payload = WebhookExamples.Get("issue_comment", action);
        Repository(payload);
        payload["issue"]!["number"] = issue;
        payload["issue"]!.AsObject().Remove("pull_request");
        payload["comment"]!["body"] = body;
        payload["comment"]!["user"]!["login"] = author;
        payload["comment"]!["user"]!["type"] = author.EndsWith("[bot]", StringComparison.Ordinal) ? "Bot" : "User"; // as GitHub marks apps' accounts
        return payload;
    }

    private static void Repository(JsonObject payload)
    {
        payload["repository"]!["full_name"] = DailyLoopDriver.Repo;
        payload["repository"]!["name"] = "app";
    }
}
