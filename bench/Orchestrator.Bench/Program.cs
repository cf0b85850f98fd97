// Benchmarks are added per issue; see README "Benchmarks".
Console.WriteLine("{}");
