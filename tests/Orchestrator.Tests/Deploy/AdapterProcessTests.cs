using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Jobs;
using Orchestrator.Storage;
using Orchestrator.Tests.Infrastructure;
using Orchestrator.Tests.Jobs;
using Xunit.Sdk;

namespace Orchestrator.Tests.Deploy;

/// <summary>
/// Runs the built app the way the Lambda Web Adapter runs it on the worker function: the layer's wrapper command
/// (exec "${LAMBDA_TASK_ROOT}/${_HANDLER}"), the worker's environment read from deploy/template.yaml, readiness on
/// AWS_LWA_READINESS_CHECK_PATH, then events POSTed to AWS_LWA_PASS_THROUGH_PATH. Only the store differs: a SQLite
/// file that the test opens too, since DynamoDB is not here.
/// </summary>
public sealed class AdapterProcessTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("orchestrator-adapter-").FullName;
    private readonly StringBuilder _stdout = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private Process? _process;
    private string? _orphan;
    private ServiceProvider? _storeServices;
    private Dictionary<string, string> _environment = [];

    private string Database => Path.Combine(_directory, "orchestrator.db");

    private IStoreBackend Store => _storeServices!.GetRequiredService<IStoreBackend>();

    public async ValueTask InitializeAsync()
    {
        var worker = "WorkerFunction";
        var template = SamTemplate.Current;
        _environment = template.Environment(worker).ToDictionary(e => e.Key, e => template.Text(e.Value)!);
        var port = FreePort();

        // What only the cloud has is replaced: DynamoDB by a SQLite file, Parameter Store by an environment variable.
        _environment.Remove("Orchestrator__Secrets__ParameterStorePath");
        _environment["Orchestrator__Storage__Provider"] = nameof(StorageProvider.Sqlite);
        _environment["Orchestrator__Storage__Sqlite__Path"] = Database;
        _environment["Orchestrator__Storage__Sqlite__BusyTimeout"] = "00:00:00.200";
        _environment["Orchestrator__GitHub__WebhookSecrets"] = "adapter-test-secret";
        _environment["AWS_LWA_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _environment["LAMBDA_TASK_ROOT"] = AppDirectory();
        _environment["_HANDLER"] = (string)template.GlobalFunction["Handler"]!;

        // The layer's /opt/bootstrap is exactly: exec -- "${LAMBDA_TASK_ROOT}/${_HANDLER}"
        var start = new ProcessStartInfo("/bin/bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _directory,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec -- \"${LAMBDA_TASK_ROOT}/${_HANDLER}\"");
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment.Remove("DOTNET_ENVIRONMENT");
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        var started = Stopwatch.GetTimestamp();
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        await WaitUntilReadyAsync(started);

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Orchestrator:Storage:Provider"] = nameof(StorageProvider.Sqlite),
            ["Orchestrator:Storage:Sqlite:Path"] = Database,
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddStorage();
        _storeServices = services.BuildServiceProvider();
        await Store.Admin.InitializeAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_stream_batch_runs_its_jobs_and_reports_only_the_failing_record()
    {
        // Arrange: two stored deliveries, a job whose delivery is missing (dead-lettered by its handler), a job due
        // later, a record without a key, and a removal.
        var ping = await AcceptDeliveryAsync();
        var pong = await AcceptDeliveryAsync();
        var orphan = _orphan = await EnqueueAsync(new JobRequest(InboxJob.Kind, "delivery:orphan", "orphan"));
        var later = await EnqueueAsync(new JobRequest(InboxJob.Kind, "delivery:later", "later", DateTimeOffset.UtcNow.AddHours(1)));
        var keyless = StreamEvents.PendingJobImage("ignored", DateTimeOffset.UtcNow);
        keyless.Remove("pk");
        var unreadable = StreamEvents.Record(keyless);
        var batch = StreamEvents.Batch(
            Record(ping),
            Record(pong),
            Record(orphan),
            StreamEvents.Record(StreamEvents.PendingJobImage(later, DateTimeOffset.UtcNow.AddHours(1))),
            unreadable,
            StreamEvents.Record(null, "REMOVE"));

        // Act
        var answer = await PostEventAsync(batch);

        // Assert
        Assert.Equal([StreamEvents.SequenceOf(unreadable)], Failures(answer));
        Assert.Equal(JobState.Completed, await StateAsync(ping));
        Assert.Equal(JobState.Completed, await StateAsync(pong));
        Assert.Equal(JobState.DeadLettered, await StateAsync(orphan));
        Assert.Equal(JobState.Pending, await StateAsync(later));
    }

    [Fact]
    public async Task A_record_whose_store_write_fails_is_reported_and_runs_when_delivered_again()
    {
        // Arrange: the test holds SQLite's write lock, so the worker's claim times out (a store error).
        var job = await AcceptDeliveryAsync();
        var record = Record(job);
        var batch = StreamEvents.Batch(record);

        // Act
        JsonNode blocked;
        await using (var connection = new SqliteConnection($"Data Source={Database};Pooling=False"))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using (var begin = connection.CreateCommand())
            {
                begin.CommandText = "BEGIN IMMEDIATE;";
                await begin.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
            }

            blocked = await PostEventAsync(batch);
            await using var rollback = connection.CreateCommand();
            rollback.CommandText = "ROLLBACK;";
            await rollback.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var retried = await PostEventAsync(batch);

        // Assert
        Assert.Equal([StreamEvents.SequenceOf(record)], Failures(blocked));
        Assert.Empty(Failures(retried));
        Assert.Equal(JobState.Completed, await StateAsync(job));
    }

    [Fact]
    public async Task A_schedule_tick_drains_due_jobs_and_writes_queue_metrics_to_stdout()
    {
        var job = await AcceptDeliveryAsync();

        var answer = await PostEventAsync(StreamEvents.Scheduled(DateTimeOffset.UtcNow));

        Assert.True(answer["drain"]!["completed"]!.GetValue<int>() >= 1);
        Assert.Equal(JobState.Completed, await StateAsync(job));
        string? emf = null;
        for (var i = 0; i < 100 && emf is null; i++)
        {
            emf = Lines().LastOrDefault(l => l.StartsWith("{\"_aws\":", StringComparison.Ordinal));
            if (emf is null)
            {
                await Task.Delay(20, TestContext.Current.CancellationToken); // stdout is read on another thread
            }
        }

        Assert.NotNull(emf);
        var metrics = JsonNode.Parse(emf)!;
        Assert.Equal(SamTemplate.TestStage, metrics[QueueMetrics.StageDimension]!.GetValue<string>());
        Assert.NotNull(metrics[QueueMetrics.JobsDeadLettered]);
    }

    [Fact]
    public async Task The_deploy_smoke_test_checks_the_live_endpoints_and_names_each_missing_secret()
    {
        // deploy.yml runs this script after each deploy; here it talks to the local process instead of API Gateway.
        var script = Path.Combine(TestTools.RepositoryRoot, "deploy", "smoke-test.sh");
        var start = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.Environment["WEBHOOK_SECRET"] = _environment["Orchestrator__GitHub__WebhookSecrets"];
        start.Environment["HEALTH_URL"] = Url("/healthz").ToString();
        start.Environment["GITHUB_WEBHOOK_URL"] = Url("/github/webhooks").ToString();
        start.Environment["READYZ_URL"] = Url("/readyz").ToString();

        using var smoke = Process.Start(start)!;
        var output = smoke.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = smoke.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await smoke.WaitForExitAsync(TestContext.Current.CancellationToken);

        // This app has the webhook secret only: the endpoints pass, readiness fails naming the Discord settings.
        Assert.True(smoke.ExitCode == 1, $"smoke-test.sh exited {smoke.ExitCode}:\n{await output}\n{await error}");
        Assert.Contains("signed ping: 200", await output, StringComparison.Ordinal);
        Assert.Contains("/readyz answered 503", await error, StringComparison.Ordinal);
        Assert.Contains("Orchestrator:Discord:PublicKey", await error, StringComparison.Ordinal);
        Assert.DoesNotContain("Orchestrator:GitHub:WebhookSecrets", await error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_event_of_another_source_is_refused()
    {
        using var content = new StringContent("""{"Records":[{"eventSource":"aws:sqs","body":"{}"}]}""", Encoding.UTF8, "application/json");

        using var response = await _http.PostAsync(Url(_environment["AWS_LWA_PASS_THROUGH_PATH"]), content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        _process?.Dispose();
        if (_storeServices is not null)
        {
            await _storeServices.DisposeAsync();
        }

        _http.Dispose();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // the OS cleans the temp folder
        }
    }

    /// <summary>The app's build output (the folder the publish step would zip), holding run.sh and Orchestrator.dll.</summary>
    private static string AppDirectory()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var built = Path.Combine(TestTools.RepositoryRoot, "src", "Orchestrator", "bin", configuration, "net10.0");
        return File.Exists(Path.Combine(built, "run.sh")) ? built : AppContext.BaseDirectory;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static List<string> Failures(JsonNode answer) =>
        [.. answer["batchItemFailures"]!.AsArray().Select(f => f!["itemIdentifier"]!.GetValue<string>())];

    private static JsonObject Record(string jobId) =>
        StreamEvents.Record(StreamEvents.PendingJobImage(jobId, DateTimeOffset.UtcNow));

    private async Task WaitUntilReadyAsync(long started)
    {
        var readiness = Url(_environment["AWS_LWA_READINESS_CHECK_PATH"]);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_process!.HasExited)
            {
                throw new XunitException($"The app exited with {_process.ExitCode} before it was ready:\n{string.Join('\n', Lines())}");
            }

            try
            {
                using var response = await _http.GetAsync(readiness, TestContext.Current.CancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    TestContext.Current.SendDiagnosticMessage($"Ready after {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms");
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet; the adapter polls every 10 ms
            }

            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        throw new XunitException($"The app did not answer {readiness} within 30 s:\n{string.Join('\n', Lines())}");
    }

    private async Task<JsonNode> PostEventAsync(string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(Url(_environment["AWS_LWA_PASS_THROUGH_PATH"]), content, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}\n{string.Join('\n', Lines().TakeLast(20))}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>
    /// Stores a delivery (and its job, atomically) as the webhook endpoint does; returns the job id. A "star" event has
    /// no route in the event table, so its job completes once the delivery is read back from the inbox.
    /// </summary>
    private async Task<string> AcceptDeliveryAsync()
    {
        using var examples = JsonDocument.Parse(await File.ReadAllTextAsync(TestTools.WebhookExamples, TestContext.Current.CancellationToken));
        var payload = examples.RootElement.EnumerateArray().First(e => e.GetProperty("name").GetString() == "star").GetProperty("examples")[0].GetRawText();
        var delivery = new WebhookDelivery(Guid.NewGuid().ToString(), "star", "created", 109948940, DateTimeOffset.UtcNow, Encoding.UTF8.GetBytes(payload));
        Assert.Equal(AcceptOutcome.Accepted, await Store.Inbox.AcceptAsync(delivery, TestContext.Current.CancellationToken));

        // Enqueueing the same idempotency key again returns the job the inbox created.
        var existing = await Store.Jobs.EnqueueAsync(InboxJob.For(delivery), TestContext.Current.CancellationToken);
        Assert.False(existing.Created);
        return existing.JobId;
    }

    private async Task<string> EnqueueAsync(JobRequest request) =>
        (await Store.Jobs.EnqueueAsync(request, TestContext.Current.CancellationToken)).JobId;

    private async Task<JobState> StateAsync(string jobId)
    {
        var job = (await Store.Jobs.GetAsync(jobId, TestContext.Current.CancellationToken))!;
        return job.State == JobState.DeadLettered && !jobId.Equals(_orphan, StringComparison.Ordinal)
            ? throw new XunitException($"Job {jobId} was dead-lettered: {job.LastError}\n{string.Join('\n', Lines().TakeLast(15))}")
            : job.State;
    }

    private Uri Url(string path) => new($"http://127.0.0.1:{_environment["AWS_LWA_PORT"]}{path}");

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_stdout)
        {
            _stdout.AppendLine(line);
        }
    }

    private string[] Lines()
    {
        lock (_stdout)
        {
            return _stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
    }
}
