using Orchestrator.Bench;

// One mode per benchmark: `dotnet run -c Release --project bench/Orchestrator.Bench -- <mode> [options]`.
// Each mode prints its figures as JSON on standard output.
return args.FirstOrDefault() switch
{
    InboxStoreBenchmark.Mode => await InboxStoreBenchmark.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine($"usage: Orchestrator.Bench <mode> [options]\nmodes:\n  {InboxStoreBenchmark.Mode,-12} {InboxStoreBenchmark.Description}");
    return 2;
}
