using Orchestrator.Storage;
using Orchestrator.Tests.Infrastructure;
using Xunit.Sdk;

namespace Orchestrator.Tests.Storage;

/// <summary>Checks on a store that service processes write, made from the test through the store's own code.</summary>
internal static class ServiceStore
{
    /// <summary>The delivery's job: enqueueing its inbox job again must find the one the inbox created.</summary>
    public static async Task<Job> JobOfAsync(IStoreBackend store, WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        var again = await store.Jobs.EnqueueAsync(InboxJob.For(delivery), cancellationToken);
        Assert.False(again.Created, $"delivery {delivery.DeliveryId} had no job");
        return await store.Jobs.GetAsync(again.JobId, cancellationToken) ?? throw new XunitException($"job {again.JobId} vanished");
    }

    /// <summary>Waits until the services' workers leave no job pending or leased; fails at once on a dead letter.</summary>
    public static async Task WaitUntilQueueIsEmptyAsync(IStoreBackend store, IReadOnlyList<ServiceProcess> services, CancellationToken cancellationToken)
    {
        // Waits for other processes, so a deadline loop rather than an awaited signal.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var stats = await store.Jobs.GetStatsAsync(cancellationToken);
            if (stats.DeadLettered > 0)
            {
                var dead = await store.Jobs.ListDeadLetteredAsync(5, cancellationToken);
                throw new XunitException("Jobs were dead-lettered: " + string.Join("; ", dead.Select(d => d.LastError)));
            }

            if (stats is { Pending: 0, Leased: 0 })
            {
                return;
            }

            if (DateTime.UtcNow > deadline || services.Any(s => s.HasExited))
            {
                throw new XunitException($"The queue did not drain ({stats}):\n{string.Join("\n", services.Select(s => s.Tail()))}");
            }

            await Task.Delay(50, cancellationToken);
        }
    }
}
