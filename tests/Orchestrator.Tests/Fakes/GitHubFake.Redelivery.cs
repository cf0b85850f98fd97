using System.Globalization;
using System.Text.Json.Nodes;

namespace Orchestrator.Tests.Fakes;

/// <summary>
/// Redelivery, as GitHub does it: <c>POST …/hooks/{hook_id}/deliveries/{delivery_id}/attempts</c> (or the App's
/// <c>POST /app/hook/deliveries/{delivery_id}/attempts</c>) answers 202 at once and then sends the stored delivery again,
/// signed, with the same X-GitHub-Delivery guid, recording a new attempt marked <c>redelivery</c> in the hook's log.
/// Tests await <see cref="RedeliveriesAsync"/> instead of sleeping.
/// </summary>
public sealed partial class GitHubFake
{
    private readonly List<Task<FakeHookDelivery>> _redeliveries = [];

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
        Map("POST", "/repos/{owner}/{repo}/hooks/{hook_id}/deliveries/{delivery_id}/attempts", RedeliverRepositoryDelivery);
        Map("POST", "/app/hook/deliveries/{delivery_id}/attempts", RedeliverAppDelivery);
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
