using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Bench;

// Each mode measures one thing and prints JSON. Usage: dotnet run -c Release --project bench/Orchestrator.Bench -- <mode> [seconds]
var mode = args.Length > 0 ? args[0] : "help";
var seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 10;
using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(30));
JsonNode result = mode switch
{
    "endpoints" => await EndpointsBenchmark.RunAsync(TimeSpan.FromSeconds(seconds), cancel.Token),
    _ => new JsonObject { ["modes"] = new JsonArray("endpoints") },
};
Console.WriteLine(result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
