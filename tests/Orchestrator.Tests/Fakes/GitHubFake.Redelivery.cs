using System.Globalization;
using System.Text.Json.Nodes;

namespace Orchestrator.Tests.Fakes;

/// <summary>
/// Redelivery, as GitHub does it: <c>POST …/hooks/{hook_id}/deliveries/{delivery_id}/attempts</c> (or the App's
/// <c>POST /app/hook/deliveries/{delivery_id}/attempts</c>) answers 202 at once and then sends the stored delivery again,
/// signed, with the same X-GitHub-Delivery guid, recording a new attempt marked <c>redelivery</c> in the hook's log.
/// Tests await <see cref="RedeliveriesAsync"/> instead of sleeping. Also team membership (GET /orgs/{org}/teams/{team_slug}/memberships/{username}),
/// which the dashboard's sign-in checks with the user's token.
/// </summary>
public sealed partial class GitHubFake
{
    private readonly List<Task<FakeHookDelivery>> _redeliveries = [];
    private readonly HashSet<string> _teamMembers = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Makes <paramref name="login"/> an active member of the team org/slug.</summary>
    public void AddTeamMember(string org, string slug, string login)
    {
        lock (_teamMembers)
        {
            _teamMembers.Add($"{org}/{slug}/{login}");
        }
    }

    /// <summary>How many redeliveries were asked for (through either endpoint).</summary>
    public int RedeliveryRequests
    {
        get
        {
            lock (_redeliveries)
            {
                return _redeliveries.Count;
            }
        }
    }

    /// <summary>Completes when every redelivery asked for so far has been sent and its answer recorded.</summary>
    public async Task<IReadOnlyList<FakeHookDelivery>> RedeliveriesAsync()
    {
        Task<FakeHookDelivery>[] pending;
        lock (_redeliveries)
        {
            pending = [.. _redeliveries];
        }

        return await Task.WhenAll(pending);
    }

    private void MapRedelivery()
    {
        Map("GET", "/orgs/{org}/teams/{team_slug}/memberships/{username}", GetTeamMembership);
        Map("POST", "/repos/{owner}/{repo}/hooks/{hook_id}/deliveries/{delivery_id}/attempts", RedeliverRepositoryDelivery);
        Map("POST", "/app/hook/deliveries/{delivery_id}/attempts", RedeliverAppDelivery);
    }

    private FakeResponse GetTeamMembership(FakeRequest request)
    {
        bool member;
        lock (_teamMembers)
        {
            member = _teamMembers.Contains($"{request.Value("org")}/{request.Value("team_slug")}/{request.Value("username")}");
        }

        if (!member)
        {
            return new FakeResponse(404) { IsEffect = false }; // GitHub's description: no body
        }

        var json = new JsonObject
        {
            ["url"] = $"{request.Origin}organizations/1/team/1/memberships/{request.Value("username")}",
            ["role"] = "member",
            ["state"] = "active",
        };
        return new FakeResponse(200, json) { IsEffect = false };
    }

    private FakeResponse RedeliverRepositoryDelivery(FakeRequest request)
    {
        var id = long.Parse(request.Value("hook_id"), CultureInfo.InvariantCulture);
        return Find(request) is { } repository && Hooks(repository.FullName).FirstOrDefault(h => h.Id == id) is { } hook
            ? Redeliver(request, hook)
            : Error(404, "Not Found");
    }

    private FakeResponse RedeliverAppDelivery(FakeRequest request) =>
        AppHook is { } hook ? Redeliver(request, hook) : Error(404, "Not Found");

    private FakeResponse Redeliver(FakeRequest request, FakeHook hook)
    {
        var deliveryId = long.Parse(request.Value("delivery_id"), CultureInfo.InvariantCulture);
        FakeHookDelivery? original;
        lock (hook.Deliveries)
        {
            original = hook.Deliveries.FirstOrDefault(d => d.Id == deliveryId);
        }

        if (original is null)
        {
            return Error(404, "Not Found");
        }

        lock (_redeliveries)
        {
            // After the 202, as GitHub does: the attempt is sent on its own.
            _redeliveries.Add(Task.Run(() => DeliverAsync(hook, original.Event, original.Payload, redelivery: true, guid: original.Guid)));
        }

        return new FakeResponse(202, new JsonObject());
    }
}
