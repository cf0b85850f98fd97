using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Tests.Infrastructure;

/// <summary>GitHub's published example payloads (npm @octokit/webhooks-examples), one entry per event and example.</summary>
public static class WebhookExamples
{
    private static readonly Lazy<IReadOnlyList<(string Event, string? Action, string Json)>> Examples = new(Load);

    public static IReadOnlyList<(string Event, string? Action, string Json)> All => Examples.Value;

    /// <summary>The first example of an event (and action), as a mutable node so a test can patch in its own numbers and shas.</summary>
    public static JsonObject Get(string eventName, string? action = null) =>
        JsonNode.Parse(All.First(e => e.Event == eventName && (action is null || e.Action == action)).Json)!.AsObject();

    private static List<(string, string?, string)> Load()
    {
        using var stream = File.OpenRead(TestTools.WebhookExamples);
        using var document = JsonDocument.Parse(stream);
        var examples = new List<(string, string?, string)>();
        foreach (var entry in document.RootElement.EnumerateArray())
        {
            var name = entry.GetProperty("name").GetString()!;
            foreach (var example in entry.GetProperty("examples").EnumerateArray())
            {
                var action = example.TryGetProperty("action", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
                examples.Add((name, action, example.GetRawText()));
            }
        }

        return examples;
    }
}
