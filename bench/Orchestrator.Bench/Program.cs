using Orchestrator.Bench;

// One mode per benchmark: `dotnet run -c Release --project bench/Orchestrator.Bench -- <mode> [options]`.
// Each mode prints its figures as JSON on standard output.
return args.FirstOrDefault() switch
{
    AllBenchmarks.Mode => await AllBenchmarks.RunAsync(args[1..]),
    InboxStoreBenchmark.Mode => await InboxStoreBenchmark.RunAsync(args[1..]),
    EndpointsBenchmark.Mode => await EndpointsBenchmark.RunAsync(args[1..]),
    HandledBenchmark.Mode => await HandledBenchmark.RunAsync(args[1..]),
    StartupBenchmark.Mode => await StartupBenchmark.RunAsync(args[1..]),
    ColdPathBenchmark.Mode => await ColdPathBenchmark.RunAsync(args[1..]),
    LoopBenchmark.Mode => await LoopBenchmark.RunAsync(args[1..]),
    ScaleBenchmark.Mode => await ScaleBenchmark.RunAsync(args[1..]),
    PlanningBenchmark.Mode => await PlanningBenchmark.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine(
        $"""
        usage: Orchestrator.Bench <mode> [options]
        modes:
          {AllBenchmarks.Mode,-12} {AllBenchmarks.Description}
          {InboxStoreBenchmark.Mode,-12} {InboxStoreBenchmark.Description}
          {EndpointsBenchmark.Mode,-12} {EndpointsBenchmark.Description}
          {HandledBenchmark.Mode,-12} {HandledBenchmark.Description}
          {StartupBenchmark.Mode,-12} {StartupBenchmark.Description}
          {ColdPathBenchmark.Mode,-12} {ColdPathBenchmark.Description}
          {LoopBenchmark.Mode,-12} {LoopBenchmark.Description}
          {PlanningBenchmark.Mode,-12} {PlanningBenchmark.Description}
        """);
    return 2;
}
