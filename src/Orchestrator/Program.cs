using Orchestrator.Cli;

// The service when no verb is given (or "serve"); otherwise one of the CLI's verbs (see --help).
return await OrchestratorCli.RunAsync(args);

/// <summary>Entry point; public so the test host (WebApplicationFactory) can find it.</summary>
public partial class Program;
