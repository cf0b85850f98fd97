using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Orchestrator.Bench;

/// <summary>The service as a real process (Release build), started with the given settings on a free loopback port.</summary>
internal sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServiceProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public int ProcessId => _process.Id;

    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>Builds the app in Release once, then starts it and waits until /healthz answers.</summary>
    public static async Task<ServiceProcess> StartAsync(IDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var app = Path.Combine(RepositoryRoot, "src", "Orchestrator", "bin", "Release", "net10.0", "Orchestrator.dll");
        if (!File.Exists(app))
        {
            await RunAsync("dotnet", $"build -c Release \"{Path.Combine(RepositoryRoot, "src", "Orchestrator")}\" -v q", cancellationToken);
        }

        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", $"\"{app}\"")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(app)!,
        };
        start.Environment["PORT"] = port.ToString(CultureInfo.InvariantCulture);
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var service = new ServiceProcess(process, new Uri($"http://127.0.0.1:{port}/"));
        using var client = new HttpClient { BaseAddress = service.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The service exited with code {process.ExitCode} during start-up.");
            }

            try
            {
                using var response = await client.GetAsync("healthz", cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return service;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            await Task.Delay(50, cancellationToken);
        }

        await service.DisposeAsync();
        throw new TimeoutException("The service did not answer /healthz within 60 s.");
    }

    /// <summary>Resident set size in bytes, from /proc.</summary>
    public long ResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string file, string arguments, CancellationToken cancellationToken)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true })!;
        await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} failed with exit code {process.ExitCode}.");
        }
    }

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Orchestrator.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Run the benchmarks from inside the repository.");
    }
}
