using Orchestrator.Cli;
using Orchestrator.Hosting;

if (args is ["commands", ..])
{
    return await OrchestratorCli.RunAsync(args);
}

var builder = WebApplication.CreateSlimBuilder(args);
builder.AddOrchestrator();

var app = builder.Build();
app.UseOrchestrator();
await app.RunAsync();
return 0;

/// <summary>Entry point; public so the test host (WebApplicationFactory) can find it.</summary>
public partial class Program;
