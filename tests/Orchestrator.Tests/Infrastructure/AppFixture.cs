using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using NSec.Cryptography;

namespace Orchestrator.Tests.Infrastructure;

/// <summary>
/// The service in memory (WebApplicationFactory) on its real pipeline, with a SQLite file of its own, keys and
/// secrets generated for this run, and a fake clock. The hosted worker is off unless a test turns it on, so
/// tests decide when jobs run.
/// </summary>
public class AppFixture : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    public AppFixture()
        : this(new Dictionary<string, string?>())
    {
    }

    public AppFixture(IDictionary<string, string?> overrides)
    {
        DataDirectory = Directory.CreateTempSubdirectory("orchestrator-test-").FullName;
        DiscordKey = Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        WebhookSecret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        _settings = new Dictionary<string, string?>
        {
            ["Orchestrator:Storage:Provider"] = "Sqlite",
            ["Orchestrator:Storage:Sqlite:Path"] = Path.Combine(DataDirectory, "orchestrator.db"),
            ["Orchestrator:Discord:PublicKey"] = Convert.ToHexStringLower(DiscordKey.PublicKey.Export(KeyBlobFormat.RawPublicKey)),
            ["Orchestrator:Discord:ApplicationId"] = "1100000000000000001",
            ["Orchestrator:GitHub:WebhookSecrets"] = WebhookSecret,
            ["Orchestrator:Worker:Hosted"] = "false",
        };
        foreach (var (key, value) in overrides)
        {
            _settings[key] = value;
        }
    }

    public string DataDirectory { get; }

    public Key DiscordKey { get; }

    public string WebhookSecret { get; }

    public CapturedLogs Logs { get; } = new();

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.Parse("2026-11-25T09:00:00Z", CultureInfo.InvariantCulture));

    /// <summary>Signs a body the way Discord does, with the fixture's key (or another) at the fake clock's time.</summary>
    public HttpRequestMessage DiscordRequest(string body, Key? key = null, DateTimeOffset? at = null)
    {
        var timestamp = (at ?? Clock.GetUtcNow()).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = SignatureAlgorithm.Ed25519.Sign(key ?? DiscordKey, Encoding.UTF8.GetBytes(timestamp + body));
        var request = new HttpRequestMessage(HttpMethod.Post, "/discord/interactions")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Signature-Ed25519", Convert.ToHexStringLower(signature));
        request.Headers.Add("X-Signature-Timestamp", timestamp);
        return request;
    }

    /// <summary>Signs a payload the way GitHub does, with the fixture's secret (or another).</summary>
    public HttpRequestMessage GitHubRequest(string eventName, byte[] body, string? deliveryId = null, string? secret = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/github/webhooks")
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-GitHub-Event", eventName);
        request.Headers.Add("X-GitHub-Delivery", deliveryId ?? Guid.NewGuid().ToString());
        request.Headers.Add("X-GitHub-Hook-ID", "123456");
        request.Headers.Add("X-Hub-Signature-256", Orchestrator.GitHub.WebhookSignature.Sign(secret ?? WebhookSecret, body));
        return request;
    }

    public HttpRequestMessage GitHubRequest(string eventName, string body, string? deliveryId = null, string? secret = null) =>
        GitHubRequest(eventName, Encoding.UTF8.GetBytes(body), deliveryId, secret);

    /// <summary>Runs every due job (and the jobs they enqueue) the way the worker would, until none is due.</summary>
    /// <returns>How many jobs ran.</returns>
    public async Task<int> DrainJobsAsync(CancellationToken cancellationToken)
    {
        var queue = Services.GetRequiredService<Orchestrator.Storage.IJobQueue>();
        var runner = Services.GetRequiredService<Orchestrator.Jobs.JobRunner>();
        var count = 0;
        while (true)
        {
            var jobs = await queue.ClaimAsync(runner.WorkerId, TimeSpan.FromMinutes(5), 16, cancellationToken);
            if (jobs.Count == 0)
            {
                return count;
            }

            foreach (var job in jobs)
            {
                await runner.RunAsync(job, cancellationToken);
                count++;
            }
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            DiscordKey.Dispose();
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // a SQLite handle may outlive the host briefly; the temp folder is cleaned by the OS
            }
        }
    }
}
