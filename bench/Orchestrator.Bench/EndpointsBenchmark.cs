using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NSec.Cryptography;
using Orchestrator.GitHub;

namespace Orchestrator.Bench;

/// <summary>
/// Signed Discord PING and signed GitHub webhook round trips against the service as a real process on
/// SQLite, for both durabilities, plus the process's resident memory idle and after load.
/// </summary>
internal static class EndpointsBenchmark
{
    public const string Mode = "endpoints";
    public const string Description = "signed Discord PING and GitHub webhook round trips against the service process; [seconds per scenario, default 10]";

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        var result = await MeasureAsync(TimeSpan.FromSeconds(seconds), cancel.Token);
        Console.WriteLine(result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }

    private static async Task<JsonObject> MeasureAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        var results = new JsonArray();
        var memory = new JsonObject();
        foreach (var durability in new[] { "PowerLoss", "Process" })
        {
            var data = Directory.CreateTempSubdirectory("orchestrator-bench-");
            try
            {
                await using var service = await ServiceProcess.StartAsync(
                    new Dictionary<string, string>
                    {
                        ["Orchestrator__Discord__PublicKey"] = Convert.ToHexStringLower(key.PublicKey.Export(KeyBlobFormat.RawPublicKey)),
                        ["Orchestrator__GitHub__WebhookSecrets"] = secret,
                        ["Orchestrator__Storage__Sqlite__Path"] = Path.Combine(data.FullName, "bench.db"),
                        ["Orchestrator__Storage__Sqlite__Durability"] = durability,
                        ["Orchestrator__Worker__Hosted"] = "false",
                    },
                    cancellationToken);
                await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
                memory[$"idle_rss_mb_{durability}"] = Math.Round(service.ResidentBytes() / 1048576.0, 1);

                if (durability == "PowerLoss")
                {
                    foreach (var connections in new[] { 8, 64 })
                    {
                        results.Add(Serialize(await LoadDriver.RunAsync($"discord-ping", service.BaseAddress, connections, duration, _ => DiscordPing(key), r => r.StatusCode == HttpStatusCode.OK, cancellationToken)));
                    }

                    results.Add(Serialize(await LoadDriver.RunAsync("github-ping", service.BaseAddress, 64, duration, _ => GitHubDelivery("ping", PingBody, secret), r => r.IsSuccessStatusCode, cancellationToken)));
                }

                var issues = IssuesBody();
                results.Add(Serialize(await LoadDriver.RunAsync($"github-issues-stored-{durability}", service.BaseAddress, 64, duration, _ => GitHubDelivery("issues", issues, secret), r => r.StatusCode == HttpStatusCode.Accepted, cancellationToken)));
                memory[$"loaded_rss_mb_{durability}"] = Math.Round(service.ResidentBytes() / 1048576.0, 1);
            }
            finally
            {
                data.Delete(recursive: true);
            }
        }

        return new JsonObject
        {
            ["benchmark"] = "endpoints",
            ["machine_cores"] = Environment.ProcessorCount,
            ["seconds_per_scenario"] = duration.TotalSeconds,
            ["results"] = results,
            ["memory"] = memory,
        };
    }

    private static readonly byte[] PingBody = Encoding.UTF8.GetBytes("""{"zen":"Speak like a human.","hook_id":1}""");

    private static HttpRequestMessage DiscordPing(Key key)
    {
        const string body = """{"type":1,"id":"1","application_id":"2","version":1}""";
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = SignatureAlgorithm.Ed25519.Sign(key, Encoding.UTF8.GetBytes(timestamp + body));
        var request = new HttpRequestMessage(HttpMethod.Post, "discord/interactions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Signature-Ed25519", Convert.ToHexStringLower(signature));
        request.Headers.Add("X-Signature-Timestamp", timestamp);
        return request;
    }

    private static HttpRequestMessage GitHubDelivery(string eventName, byte[] body, string secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "github/webhooks") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-GitHub-Event", eventName);
        request.Headers.Add("X-GitHub-Delivery", Guid.NewGuid().ToString());
        request.Headers.Add("X-Hub-Signature-256", WebhookSignature.Sign(secret, body));
        return request;
    }

    /// <summary>The published issues.opened example (about 8 KB), as GitHub sends it.</summary>
    private static byte[] IssuesBody()
    {
        var path = Path.Combine(ServiceProcess.RepositoryRoot, "tools", "node_modules", "@octokit", "webhooks-examples", "api.github.com", "index.json");
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var issues = document.RootElement.EnumerateArray().First(e => e.GetProperty("name").GetString() == "issues");
        var opened = issues.GetProperty("examples").EnumerateArray().First(e => e.GetProperty("action").GetString() == "opened");
        return Encoding.UTF8.GetBytes(opened.GetRawText());
    }

    private static JsonNode Serialize(LoadResult result) => JsonSerializer.SerializeToNode(result)!;
}
