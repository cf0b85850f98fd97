using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Storage;
using Orchestrator.Storage.Sqlite;
using Orchestrator.Tests.Infrastructure;
using Xunit.Sdk;

namespace Orchestrator.Tests.Storage;

/// <summary>
/// The service as a real process on a SQLite file, killed with SIGKILL while webhooks arrive and jobs run, then
/// started again on the same file: nothing it acknowledged is lost, and nothing is processed twice.
/// </summary>
public sealed class CrashTests : IAsyncLifetime
{
    private const int Deliveries = 400;
    private const int Connections = 16;

    /// <summary>Acknowledged deliveries before the kill: enough that the worker is busy, few enough that many are in flight.</summary>
    private const int KillAfter = 120;

    private readonly string _directory = Directory.CreateTempSubdirectory("orchestrator-crash-").FullName;
    private readonly string _secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
    private readonly List<ServiceProcess> _processes = [];
    private SqliteStore? _store;

    private string Database => Path.Combine(_directory, "orchestrator.db");

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    [Theory]
    [InlineData(SqliteDurability.PowerLoss)]
    [InlineData(SqliteDurability.Process)]
    public async Task Every_acknowledged_delivery_survives_a_kill_9_and_is_processed_exactly_once(SqliteDurability durability)
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        var deliveries = SignedDeliveries.FromExamples(Deliveries);
        var first = await StartAsync(durability, ct);
        using var http = SignedDeliveries.Client(Connections);
        var acknowledged = 0;
        var enoughAcknowledged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Act 1: deliveries on 16 connections; SIGKILL once 120 are acknowledged, with the rest in flight or unsent.
        var sending = SignedDeliveries.PostAllAsync(
            http,
            [.. deliveries.Select(d => (first.BaseAddress, d))],
            _secret,
            Connections,
            answer =>
            {
                if (answer.IsSuccess && Interlocked.Increment(ref acknowledged) == KillAfter)
                {
                    enoughAcknowledged.TrySetResult();
                }
            },
            ct);
        await enoughAcknowledged.Task.WaitAsync(TimeSpan.FromSeconds(60), ct);
        first.Kill();
        var answers = await sending;

        // Assert 1: with no process running, every acknowledged delivery is on disk with its one job.
        var acked = deliveries.Where((_, i) => answers[i].IsSuccess).ToList();
        Assert.All(answers.Where(a => a.IsSuccess), a => Assert.Equal("queued", a.Status));
        Assert.True(acked.Count >= KillAfter, $"{acked.Count} acknowledged");
        Assert.True(acked.Count < Deliveries, "the kill should have cut off some deliveries");
        var store = OpenStore();
        var atKill = new Dictionary<string, Job>(StringComparer.Ordinal);
        foreach (var delivery in deliveries)
        {
            if (await store.Inbox.GetAsync(delivery.Id, ct) is { } stored)
            {
                atKill[delivery.Id] = await ServiceStore.JobOfAsync(store, stored, ct);
            }
        }

        var lost = acked.Where(d => !atKill.ContainsKey(d.Id)).Select(d => $"{d.Id} ({d.Event})").ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} of {acked.Count} acknowledged deliveries were lost: {string.Join(", ", lost)}");

        // Act 2: start again on the same file; redeliver what got no 2xx, as GitHub would.
        var second = await StartAsync(durability, ct);
        var unanswered = deliveries.Where((_, i) => !answers[i].IsSuccess).ToList();
        var redelivered = await SignedDeliveries.PostAllAsync(http, [.. unanswered.Select(d => (second.BaseAddress, d))], _secret, Connections, null, ct);
        await ServiceStore.WaitUntilQueueIsEmptyAsync(store, [second], ct);
        await second.StopAsync(TimeSpan.FromSeconds(30)); // flushes its logs

        // Assert 2: every delivery stored once with one completed job, run to its end once.
        Assert.All(redelivered, a => Assert.True(a.IsSuccess, $"a redelivery got {a.StatusCode}"));
        Assert.All(
            redelivered.Zip(unanswered),
            r => Assert.Equal(atKill.ContainsKey(r.Second.Id) ? "duplicate" : "queued", r.First.Status));
        var before = SignedDeliveries.ProcessedPerDelivery(first.Lines);
        var after = SignedDeliveries.ProcessedPerDelivery(second.Lines);
        var rerun = 0;
        var lostLines = 0;
        foreach (var delivery in deliveries)
        {
            var stored = await store.Inbox.GetAsync(delivery.Id, ct) ?? throw new XunitException($"{delivery.Id} is not stored");
            Assert.Equal(delivery.Body, Encoding.UTF8.GetString(stored.Payload));
            var job = await ServiceStore.JobOfAsync(store, stored, ct);
            Assert.True(job.State == JobState.Completed, $"{delivery.Id} ({delivery.Event}): job {job.Id} is {job.State}, attempts {job.Attempts}, {job.LastError}");
            var ranBefore = before.GetValueOrDefault(delivery.Id);
            var ranAfter = after.GetValueOrDefault(delivery.Id);
            var why = $"{delivery.Id} ({delivery.Event}): {ranBefore} run(s) before the kill, {ranAfter} after, {job.Attempts} attempt(s)";
            Assert.True(ranBefore <= 1, why);
            if (atKill.TryGetValue(delivery.Id, out var killed) && killed.State == JobState.Completed)
            {
                // Completed before the kill: never again. Its line may have died in the logger's queue with the process.
                Assert.True(ranAfter == 0 && job.Attempts == killed.Attempts, why);
                lostLines += 1 - ranBefore;
            }
            else
            {
                // Not completed at the kill: the second process ran it once. A run cut short by the kill counts an attempt.
                Assert.True(ranAfter == 1, why);
                Assert.True(ranBefore == 0 || job.Attempts > 1, why);
                rerun += job.Attempts > 1 ? 1 : 0;
            }
        }

        TestContext.Current.SendDiagnosticMessage(
            $"{durability}: {acked.Count} of {Deliveries} acknowledged before the kill, {unanswered.Count} not "
            + $"({unanswered.Count(d => atKill.ContainsKey(d.Id))} of those stored anyway); "
            + $"{atKill.Values.Count(j => j.State == JobState.Leased)} jobs leased at the kill, {rerun} claimed again after it; "
            + $"{lostLines} log lines lost with the killed process");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // the OS cleans the temp folder
        }
    }

    private async Task<ServiceProcess> StartAsync(SqliteDurability durability, CancellationToken cancellationToken)
    {
        var process = await ServiceProcess.StartAsync(
            new Dictionary<string, string?>
            {
                ["Orchestrator__Storage__Provider"] = nameof(StorageProvider.Sqlite),
                ["Orchestrator__Storage__Sqlite__Path"] = Database,
                ["Orchestrator__Storage__Sqlite__Durability"] = durability.ToString(),
                ["Orchestrator__GitHub__WebhookSecrets"] = _secret,
                ["Orchestrator__Worker__Hosted"] = "true",
                ["Orchestrator__Worker__Lease"] = "00:00:02",
                ["Orchestrator__Worker__PollInterval"] = "00:00:00.050",
                ["Logging__LogLevel__Default"] = "Warning",
                ["Logging__LogLevel__Orchestrator.GitHub.WebhookJobHandler"] = "Information",
            },
            _directory,
            cancellationToken);
        _processes.Add(process);
        return process;
    }

    /// <summary>The same file through the store's own code, as a third process would open it.</summary>
    private IStoreBackend OpenStore()
    {
        using var services = new ServiceCollection().AddSingleton(TimeProvider.System).BuildServiceProvider();
        return _store = (SqliteStore)SqliteStore.Create(services, new StorageOptions { Sqlite = { Path = Database } });
    }
}
