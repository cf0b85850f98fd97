using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Runs;
using Orchestrator.Storage;
using Orchestrator.Storage.Sqlite;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Bench;

/// <summary>
/// Deliveries the service acts on, processed end to end, as shipped (default logging, hosted worker on, SQLite
/// PowerLoss): unique signed <c>check_run.completed</c> deliveries for the head commit of a task of an active run
/// (seeded in the file before start-up), at 64 connections. Each is stored with its job, and the worker reads it
/// back, parses it with Octokit's models, finds the run by repository and head and records the check. After the
/// load the benchmark waits until every job is completed and reports how long the backlog took to drain.
/// </summary>
internal static class HandledBenchmark
{
    public const string Mode = "handled";
    public const string Description = "check_run deliveries for a tracked task, processed end to end by the hosted worker; backlog at the end [seconds, default 30]";

    public static Task<int> RunAsync(string[] args) => BenchReport.RunTimedAsync(args, 30, MeasureAsync);

    public static async Task<JsonObject> MeasureAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        var data = Directory.CreateTempSubdirectory("orchestrator-bench-handled-");
        var database = Path.Combine(data.FullName, "bench.db");
        var example = WebhookExamples.All.First(e => e.Event == "check_run" && e.Action == "completed").Json;
        var payload = JsonNode.Parse(example)!;
        var repository = payload["repository"]!["full_name"]!.GetValue<string>();
        var head = payload["check_run"]!["head_sha"]!.GetValue<string>();
        try
        {
            using var services = new ServiceCollection().AddSingleton(TimeProvider.System).BuildServiceProvider();
            var store = SqliteStore.Create(services, new StorageOptions { Sqlite = { Path = database } });
            try
            {
                await SeedAsync(store, repository, head, cancellationToken);
                await using var service = await ServiceProcess.StartAsync(
                    new Dictionary<string, string?>
                    {
                        ["Orchestrator__GitHub__WebhookSecrets"] = secret,
                        ["Orchestrator__Storage__Sqlite__Path"] = database,
                    },
                    data.FullName,
                    cancellationToken);

                var load = await EndpointsBenchmark.MeasureScenarioAsync(
                    service, "github-check_run-handled", 64, duration, example, Signed.GitHub("check_run", example, secret), "X-GitHub-Delivery", cancellationToken);
                var drained = Stopwatch.StartNew();
                JobQueueStats stats;
                while (true)
                {
                    stats = await store.Jobs.GetStatsAsync(cancellationToken);
                    if (stats is { Pending: 0, Leased: 0 } || drained.Elapsed > TimeSpan.FromMinutes(5))
                    {
                        break;
                    }

                    await Task.Delay(20, cancellationToken);
                }

                var backlog = drained.Elapsed.TotalSeconds;
                var completed = await CountCompletedAsync(database, cancellationToken);
                load["backlog_seconds_after_load"] = Math.Round(backlog, 2);
                load["jobs_completed"] = completed;
                load["jobs_dead_lettered"] = stats.DeadLettered;
                load["jobs_completed_per_second_incl_backlog"] = Math.Round(completed / (duration.TotalSeconds + 2 + backlog), 0);
                return new JsonObject
                {
                    ["benchmark"] = Mode,
                    ["configuration"] = "default (logging at Information, hosted worker on, SQLite PowerLoss)",
                    ["generator"] = "wrk -t2",
                    ["machine_cores"] = Environment.ProcessorCount,
                    ["load_average"] = ProcFs.LoadAverage(),
                    ["results"] = new JsonArray(load),
                };
            }
            finally
            {
                await ((IAsyncDisposable)store).DisposeAsync();
            }
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    /// <summary>One run in progress whose task's pull request has the example's head commit.</summary>
    private static async Task SeedAsync(IStoreBackend store, string repository, string head, CancellationToken cancellationToken)
    {
        await store.Admin.InitializeAsync(cancellationToken);
        var now = DateTimeOffset.UtcNow;
        await store.Runs.CreateAsync(
            new Run(
                RunId.New(TimeProvider.System),
                repository,
                RunState.InProgress,
                now,
                now,
                [new PlannedIssue(1, "Benchmark", $"https://github.com/{repository}/issues/1", ["ready"])],
                null,
                [new RunTask(1, TaskState.PrOpen, "corr-bench-1", PullRequestNumber: 2, PullRequestUrl: $"https://github.com/{repository}/pull/2", HeadSha: head)],
                0),
            cancellationToken);
    }

    private static async Task<long> CountCompletedAsync(string database, CancellationToken cancellationToken)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM jobs WHERE state = 'Completed'";
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
