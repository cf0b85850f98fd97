using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML.Tokenizers;
using Orchestrator.Runs;
using Orchestrator.Tests.Drivers;
using Orchestrator.Tests.Fakes;

namespace Orchestrator.Bench;

/// <summary>
/// The cost of one plan with the planning model: the service plans 10 ready issues against the OpenAPI-checked
/// OpenAI-compatible fake, and the request it really sent is counted with OpenAI's o200k encoding (system and user
/// messages plus the response_format schema). Two profiles: short bodies (about 300 characters) and long ones cut to
/// the default budget (1,500). The output figure counts a representative answer (10 one-line summaries), since the
/// fake's answer is scripted; the provider's own counts are logged by the service for every plan (event 1500).
/// </summary>
internal static class PlanningBenchmark
{
    public const string Mode = "planning";
    public const string Description = "tokens of the planning model's one request per plan (10 issues, short and long bodies, o200k)";

    private const int Issues = 10;

    public static async Task<int> RunAsync(string[] args)
    {
        _ = args;
        Environment.CurrentDirectory = AppContext.BaseDirectory;
        var tokenizer = TiktokenTokenizer.CreateForEncoding("o200k_base");
        var report = new JsonObject
        {
            ["mode"] = Mode,
            ["encoding"] = "o200k_base",
            ["issues"] = Issues,
            ["profiles"] = new JsonArray(
                await MeasureAsync("short-bodies", 300, tokenizer),
                await MeasureAsync("long-bodies-cut-to-1500", 4000, tokenizer)),
        };
        BenchReport.Print(report);
        return 0;
    }

    private static async Task<JsonObject> MeasureAsync(string profile, int bodyChars, Tokenizer tokenizer)
    {
        const string key = "sk-bench-planning";
        await using var model = await OpenAiFake.StartAsync(key, CancellationToken.None);
        await using var loop = await DailyLoopDriver.StartAsync(new Dictionary<string, string?>
        {
            ["Orchestrator:Planning:Provider"] = "OpenAICompatible",
            ["Orchestrator:Planning:BaseUrl"] = model.BaseAddress.AbsoluteUri,
            ["Orchestrator:Planning:Model"] = OpenAiFake.Model,
            ["Orchestrator:Planning:ApiKey"] = key,
            ["Orchestrator:Repositories:0:Limit"] = Issues.ToString(CultureInfo.InvariantCulture),
        });
        var numbers = Enumerable.Range(1, Issues).Select(i => loop.World.AddIssue(Title(i), Body(i, bodyChars), "ready").Number).ToList();
        var answer = Answer(numbers);
        model.Answer(new ScriptedAnswer.Completion(answer));

        var (run, _) = await loop.PlanAsync();
        if (run.Advice?.State != AdviceState.Enriched)
        {
            throw new InvalidOperationException($"The plan was not enriched: {run.Advice?.Note}");
        }

        var request = model.Requests.Single();
        var (system, data) = OpenAiFake.Messages(request);
        var schema = request["response_format"]!.ToJsonString();
        var input = tokenizer.CountTokens(system) + tokenizer.CountTokens(data.ToJsonString()) + tokenizer.CountTokens(schema);
        return new JsonObject
        {
            ["profile"] = profile,
            ["bodyCharsPerIssue"] = Math.Min(bodyChars, 1500),
            ["requestBytes"] = Encoding.UTF8.GetByteCount(request.ToJsonString()),
            ["systemTokens"] = tokenizer.CountTokens(system),
            ["schemaTokens"] = tokenizer.CountTokens(schema),
            ["issuesTokens"] = tokenizer.CountTokens(data.ToJsonString()),
            ["inputTokens"] = input,
            ["outputTokensRepresentative"] = tokenizer.CountTokens(answer),
        };
    }

    private static string Title(int i) => $"Issue {i}: make the export page handle large accounts without timing out";

    /// <summary>Plain issue prose (steps, expected, actual), repeated to the length asked.</summary>
    private static string Body(int i, int chars)
    {
        var paragraph = $"When an account has more than {i * 1000} projects, opening the export page takes over a minute and the request times out. "
            + "Steps: sign in as a large customer, open Settings, choose Export, pick CSV. Expected: the file downloads within a few seconds. "
            + "Actual: a 504 after sixty seconds. The query loads every project with its members; paging it would fix it. ";
        var text = new StringBuilder();
        while (text.Length < chars)
        {
            text.Append(paragraph);
        }

        return text.ToString(0, chars);
    }

    private static string Answer(List<int> numbers) => new JsonObject
    {
        ["summary"] = "Mostly export performance work of medium size; start with the paging fix that the others build on.\nTwo issues need the expected file format before an agent starts.",
        ["order"] = new JsonArray([.. numbers.Select(n => (JsonNode)n)]),
        ["issues"] = new JsonArray([.. numbers.Select((n, i) => (JsonNode)new JsonObject
        {
            ["number"] = n,
            ["summary"] = "Page the export query so large accounts download within seconds",
            ["size"] = "M",
            ["readiness"] = i < 2 ? "needs_clarification" : "ready",
            ["question"] = i < 2 ? "Should the export include archived projects?" : null,
            ["depends_on"] = new JsonArray(i == 0 ? [] : [(JsonNode)numbers[0]]),
        })]),
    }.ToJsonString();
}
