using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Orchestrator.GitHub;
using Orchestrator.Workflow;

namespace Orchestrator.Tests.Infrastructure;

/// <summary>One webhook delivery as GitHub would send it: a unique id, the event and the raw body.</summary>
public sealed record SignedDelivery(string Id, string Event, string Body);

/// <summary>What a service answered to a delivery: a status code and the answer's status ("queued", "duplicate"), or nothing.</summary>
public sealed record DeliveryAnswer(HttpStatusCode? StatusCode, string? Status)
{
    public static DeliveryAnswer None { get; } = new(null, null);

    public bool IsSuccess => StatusCode is { } code && (int)code is >= 200 and < 300;
}

/// <summary>
/// Webhook deliveries for process-level tests: built from GitHub's published examples, posted signed to a running
/// service, and followed in its JSON console logs.
/// </summary>
public static class SignedDeliveries
{
    /// <summary>EventIds of WebhookJobHandler's "has no handler" and "handled" lines: one per finished run of a delivery's job.</summary>
    private static readonly int[] ProcessedEventIds = [220, 221];

    /// <summary>
    /// <paramref name="count"/> deliveries with fresh ids, walking through every published example of an event the
    /// event table routes (pings first): those are the deliveries that get a processing job.
    /// </summary>
    public static IReadOnlyList<SignedDelivery> FromExamples(int count)
    {
        var examples = WebhookExamples.All
            .Where(e => GitHubEventTable.All.Any(r => r.Matches(e.Event, e.Action)))
            .OrderBy(e => e.Event == "ping" ? 0 : 1)
            .ToList();
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            var (eventName, _, json) = examples[i % examples.Count];
            return new SignedDelivery(Guid.NewGuid().ToString(), eventName, json);
        })];
    }

    /// <summary>An HTTP client for many concurrent deliveries to one service.</summary>
    public static HttpClient Client(int connections) => new(new SocketsHttpHandler { MaxConnectionsPerServer = connections })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>Posts the delivery signed with <paramref name="secret"/>. No answer (refused, reset, timed out) is <see cref="DeliveryAnswer.None"/>.</summary>
    public static async Task<DeliveryAnswer> PostAsync(HttpClient http, Uri service, SignedDelivery delivery, string secret, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(delivery);
        var body = Encoding.UTF8.GetBytes(delivery.Body);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(service, "github/webhooks"))
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
        request.Headers.Add("X-GitHub-Event", delivery.Event);
        request.Headers.Add("X-GitHub-Delivery", delivery.Id);
        request.Headers.Add("X-Hub-Signature-256", WebhookSignature.Sign(secret, body));
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            string? status = null;
            if (response.IsSuccessStatusCode)
            {
                using var answer = JsonDocument.Parse(text);
                status = answer.RootElement.GetProperty("status").GetString();
            }

            return new DeliveryAnswer(response.StatusCode, status);
        }
        catch (HttpRequestException)
        {
            return DeliveryAnswer.None; // refused or cut off: the process is gone
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return DeliveryAnswer.None;
        }
    }

    /// <summary>
    /// Posts every (service, delivery) pair over <paramref name="connections"/> concurrent connections and returns the
    /// answers in the same order. <paramref name="answered"/> sees each answer as it arrives (from several threads).
    /// </summary>
    public static async Task<DeliveryAnswer[]> PostAllAsync(
        HttpClient http,
        IReadOnlyList<(Uri Service, SignedDelivery Delivery)> posts,
        string secret,
        int connections,
        Action<DeliveryAnswer>? answered,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(posts);
        var answers = new DeliveryAnswer[posts.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, posts.Count),
            new ParallelOptions { MaxDegreeOfParallelism = connections, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                answers[i] = await PostAsync(http, posts[i].Service, posts[i].Delivery, secret, token);
                answered?.Invoke(answers[i]);
            });
        return answers;
    }

    /// <summary>
    /// How many times each delivery's job ran to its end, from one process's JSON console lines: WebhookJobHandler logs
    /// "handled" or "has no handler" once per run, before the job is marked completed.
    /// </summary>
    public static Dictionary<string, int> ProcessedPerDelivery(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            if (!line.StartsWith('{') || !line.Contains("WebhookJobHandler", StringComparison.Ordinal))
            {
                continue;
            }

            using var entry = JsonDocument.Parse(line);
            var root = entry.RootElement;
            if (root.GetProperty("Category").GetString() == typeof(WebhookJobHandler).FullName
                && ProcessedEventIds.Contains(root.GetProperty("EventId").GetInt32())
                && root.GetProperty("DeliveryId").GetString() is { } id)
            {
                counts[id] = counts.GetValueOrDefault(id) + 1;
            }
        }

        return counts;
    }
}
