using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Storage;
using Orchestrator.Storage.DynamoDb;

[assembly: AssemblyFixture(typeof(Orchestrator.Tests.Infrastructure.DynaliteServer))]

namespace Orchestrator.Tests.Infrastructure;

/// <summary>
/// One DynamoDB-API server (dynalite, through tools/dynalite-server.js, which adds the transactions and TTL
/// settings dynalite lacks) on 127.0.0.1 for the whole test assembly. It picks a free port itself and reports it.
/// Tests stay isolated by giving each store its own table prefix. Disposal kills the process tree.
/// </summary>
public sealed class DynaliteServer : IAsyncLifetime
{
    private Process? _process;
    private Uri? _serviceUrl;

    public Uri ServiceUrl => _serviceUrl ?? throw new InvalidOperationException("The server has not started.");

    public async ValueTask InitializeAsync()
    {
        var script = Path.Combine(TestTools.RepositoryRoot, "tools", "dynalite-server.js");
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true, // the server exits when this closes, should the kill below ever miss it
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(script)!,
        };
        foreach (var argument in new[] { script, "--host", "127.0.0.1", "--port", "0", "--createTableMs", "20", "--deleteTableMs", "20", "--updateTableMs", "20", "--exitWithStdin" })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node.");
        var errors = _process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var line = await _process.StandardOutput.ReadLineAsync(timeout.Token)
                ?? throw new InvalidOperationException("dynalite exited before listening: " + await errors);
            const string Ready = "Dynalite listening at: ";
            if (line.StartsWith(Ready, StringComparison.Ordinal))
            {
                _serviceUrl = new Uri(line[Ready.Length..].Trim());
                break;
            }
        }

        // Listening is not answering: wait for its health page before any test uses it.
        using var http = new HttpClient();
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(_serviceUrl, timeout.Token);
                if (response.IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(50, timeout.Token);
        }
    }

    /// <summary>Options for a store of its own: a table prefix no other test uses.</summary>
    public StorageOptions Options(string? tablePrefix = null) => new()
    {
        Provider = StorageProvider.DynamoDb,
        DynamoDb = new DynamoDbStoreOptions
        {
            TablePrefix = tablePrefix ?? "t" + Guid.NewGuid().ToString("N")[..12] + "-",
            ServiceUrl = ServiceUrl.ToString(),
            Region = "us-east-1",
            CreateTables = true,
        },
    };

    /// <summary>The service's settings for a store of its own on this server (tables created at start-up).</summary>
    public Dictionary<string, string?> AppSettings()
    {
        var options = Options();
        return new()
        {
            ["Orchestrator:Storage:Provider"] = nameof(StorageProvider.DynamoDb),
            ["Orchestrator:Storage:DynamoDb:TablePrefix"] = options.DynamoDb.TablePrefix,
            ["Orchestrator:Storage:DynamoDb:ServiceUrl"] = options.DynamoDb.ServiceUrl,
            ["Orchestrator:Storage:DynamoDb:Region"] = options.DynamoDb.Region,
            ["Orchestrator:Storage:DynamoDb:CreateTables"] = "true",
        };
    }

    /// <summary>A store as the service builds it (with <paramref name="time"/> as its clock), its tables created.</summary>
    public async Task<IStoreBackend> CreateStoreAsync(TimeProvider time, StorageOptions? options = null)
    {
        var services = new ServiceCollection().AddSingleton(time).BuildServiceProvider();
        var store = DynamoStore.Create(services, options ?? Options());
        await store.Admin.InitializeAsync(TestContext.Current.CancellationToken);
        return store;
    }

    /// <summary>A raw client on the same server, for looking at items the way the store wrote them.</summary>
    public Amazon.DynamoDBv2.AmazonDynamoDBClient CreateClient() =>
        new(new Amazon.Runtime.BasicAWSCredentials("local", "local"), new Amazon.DynamoDBv2.AmazonDynamoDBConfig
        {
            ServiceURL = ServiceUrl.ToString(),
            AuthenticationRegion = "us-east-1",
        });

    public async ValueTask DisposeAsync()
    {
        if (_process is null)
        {
            return;
        }

        try
        {
            _process.StandardInput.Close();
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        finally
        {
            _process.Dispose();
        }
    }
}
