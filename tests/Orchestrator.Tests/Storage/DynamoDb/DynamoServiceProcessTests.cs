using System.Security.Cryptography;
using System.Text;
using Orchestrator.Storage;
using Orchestrator.Tests.Infrastructure;
using Xunit.Sdk;

namespace Orchestrator.Tests.Storage.DynamoDb;

/// <summary>Two service processes on one set of DynamoDB tables (dynalite), each with its hosted worker, as two hosts would run.</summary>
public sealed class DynamoServiceProcessTests(DynaliteServer dynalite) : IAsyncLifetime
{
    private const int Deliveries = 60;
    private const int SentToBoth = 12;
    private const int Connections = 16;

    private readonly string _directory = Directory.CreateTempSubdirectory("orchestrator-dynamo-processes-").FullName;
    private readonly string _secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
    private readonly List<ServiceProcess> _processes = [];

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Two_instances_store_each_delivery_once_and_process_it_exactly_once_in_total()
    {
        // Arrange: both start at once on fresh tables, so they also race to create them.
        var ct = TestContext.Current.CancellationToken;
        var options = dynalite.Options();
        var instances = await Task.WhenAll(StartAsync(options, ct), StartAsync(options, ct));
        var (a, b) = (instances[0], instances[1]);
        var deliveries = SignedDeliveries.FromExamples(Deliveries);
        var posts = new List<(Uri Service, SignedDelivery Delivery)>();
        for (var i = 0; i < deliveries.Count; i++)
        {
            // The first ones go to both at once, as a redelivery racing the original would; the rest alternate.
            if (i < SentToBoth)
            {
                posts.Add((a.BaseAddress, deliveries[i]));
                posts.Add((b.BaseAddress, deliveries[i]));
            }
            else
            {
                posts.Add(((i % 2 == 0 ? a : b).BaseAddress, deliveries[i]));
            }
        }
        using var http = SignedDeliveries.Client(Connections);

        // Act
        var answers = await SignedDeliveries.PostAllAsync(http, posts, _secret, Connections, null, ct);
        var store = await dynalite.CreateStoreAsync(TimeProvider.System, options);
        await ServiceStore.WaitUntilQueueIsEmptyAsync(store, instances, ct);
        await Task.WhenAll(a.StopAsync(TimeSpan.FromSeconds(30)), b.StopAsync(TimeSpan.FromSeconds(30))); // flushes their logs

        // Assert: every post answered 2xx, and each delivery sent to both was queued by exactly one of them.
        var answered = posts.Zip(answers, (p, answer) => (p.Delivery, p.Service, Answer: answer)).ToList();
        var failed = answered.Where(p => !p.Answer.IsSuccess).Select(p => $"{p.Delivery.Id} at {p.Service}: {p.Answer.StatusCode}").ToList();
        Assert.True(failed.Count == 0, "not acknowledged: " + string.Join(", ", failed));
        foreach (var sent in answered.GroupBy(p => p.Delivery.Id))
        {
            Assert.Equal(1, sent.Count(p => p.Answer.Status == "queued"));
        }

        // Assert: each delivery stored, with one job, completed, run to its end once across both processes.
        var byA = SignedDeliveries.ProcessedPerDelivery(a.Lines);
        var byB = SignedDeliveries.ProcessedPerDelivery(b.Lines);
        foreach (var delivery in deliveries)
        {
            var stored = await store.Inbox.GetAsync(delivery.Id, ct) ?? throw new XunitException($"{delivery.Id} is not stored");
            Assert.Equal(delivery.Body, Encoding.UTF8.GetString(stored.Payload));
            var job = await ServiceStore.JobOfAsync(store, stored, ct);
            var runs = byA.GetValueOrDefault(delivery.Id) + byB.GetValueOrDefault(delivery.Id);
            var why = $"{delivery.Id} ({delivery.Event}): job {job.State}, {job.Attempts} attempt(s), {runs} run(s)";
            Assert.True(job is { State: JobState.Completed, Attempts: 1 } && runs == 1, why);
        }

        TestContext.Current.SendDiagnosticMessage($"Instance A ran {byA.Values.Sum()} jobs, instance B {byB.Values.Sum()}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
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

    private async Task<ServiceProcess> StartAsync(StorageOptions options, CancellationToken cancellationToken)
    {
        var process = await ServiceProcess.StartAsync(
            new Dictionary<string, string?>
            {
                ["Orchestrator__Storage__Provider"] = nameof(StorageProvider.DynamoDb),
                ["Orchestrator__Storage__DynamoDb__ServiceUrl"] = options.DynamoDb.ServiceUrl,
                ["Orchestrator__Storage__DynamoDb__Region"] = options.DynamoDb.Region,
                ["Orchestrator__Storage__DynamoDb__TablePrefix"] = options.DynamoDb.TablePrefix,
                ["Orchestrator__Storage__DynamoDb__CreateTables"] = "true",
                ["Orchestrator__GitHub__WebhookSecrets"] = _secret,
                ["Orchestrator__Worker__Hosted"] = "true",

                // No lease can expire during the test: a second run could only come from a double claim.
                ["Orchestrator__Worker__Lease"] = "00:05:00",
                ["Orchestrator__Worker__PollInterval"] = "00:00:00.200",
                ["Logging__LogLevel__Default"] = "Warning",
                ["Logging__LogLevel__Orchestrator.GitHub.WebhookJobHandler"] = "Information",
            },
            _directory,
            cancellationToken);
        lock (_processes)
        {
            _processes.Add(process);
        }

        return process;
    }
}
