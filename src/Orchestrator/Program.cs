using Orchestrator.Hosting;

var builder = WebApplication.CreateSlimBuilder(args);
builder.AddOrchestrator();

var app = builder.Build();
app.UseOrchestrator();
await app.RunAsync();

/// <summary>Entry point; public so the test host (WebApplicationFactory) can find it.</summary>
public partial class Program;
