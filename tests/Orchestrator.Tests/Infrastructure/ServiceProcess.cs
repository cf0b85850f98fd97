using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Xunit.Sdk;

namespace Orchestrator.Tests.Infrastructure;

/// <summary>
/// The service as a real process: <c>dotnet Orchestrator.dll</c> from src/Orchestrator's build output (the test
/// project's reference builds it in the same configuration), on a free loopback port, with the given environment.
/// Start-up waits for /healthz. Every stdout and stderr line is kept. <see cref="Kill"/> is a SIGKILL of the whole
/// tree (what a crash or an OOM kill does), <see cref="StopAsync"/> a SIGTERM (a graceful stop that flushes the
/// logs); disposal kills whatever still runs.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly List<string> _lines = [];

    private ServiceProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
    }

    /// <summary>src/Orchestrator/bin/{configuration}/{tfm}/Orchestrator.dll, matching the test assembly's own folder.</summary>
    public static string AppPath => FindApp();

    public int Port { get; }

    public Uri BaseAddress { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>A snapshot of every line written so far (stdout and stderr, in arrival order).</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>
    /// Starts the service with <paramref name="environment"/> on top of this process's environment (a null value
    /// removes a variable) and waits until /healthz answers. PORT is set to a free port; a port taken by someone
    /// else between choosing and binding it is retried with another.
    /// </summary>
    public static async Task<ServiceProcess> StartAsync(
        IReadOnlyDictionary<string, string?> environment,
        string workingDirectory,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(environment);
        for (var attempt = 1; ; attempt++)
        {
            var service = Launch(environment, workingDirectory, FreePort());
            try
            {
                await service.WaitUntilHealthyAsync(cancellationToken);
                return service;
            }
            catch (XunitException) when (attempt < 3 && service.HasExited && service.Lines.Any(l => l.Contains("address already in use", StringComparison.OrdinalIgnoreCase)))
            {
                await service.DisposeAsync();
            }
            catch
            {
                await service.DisposeAsync();
                throw;
            }
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>SIGKILL to the whole tree, then waits until it is gone: no shutdown code runs, nothing is flushed.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.WaitForExit(); // also drains the redirected output
    }

    /// <summary>SIGTERM (the host stops gracefully: the worker finishes or releases its jobs, logs flush); SIGKILL after <paramref name="timeout"/>.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var term = Process.Start(new ProcessStartInfo("kill", ["-s", "TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))!)
        {
            await term.WaitForExitAsync(CancellationToken.None);
        }

        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync(CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
            // never started or already reaped
        }
        finally
        {
            _process.Dispose();
        }
    }

    /// <summary>The last <paramref name="count"/> lines, for failure messages.</summary>
    public string Tail(int count = 30) => string.Join('\n', Lines.TakeLast(count));

    private static ServiceProcess Launch(IReadOnlyDictionary<string, string?> environment, string workingDirectory, int port)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardInput = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(AppPath);

        // Bindings inherited from whoever runs the tests would win over PORT (AWS_LWA_PORT does, by design).
        foreach (var inherited in new[] { "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "DOTNET_URLS", "AWS_LWA_PORT" })
        {
            start.Environment.Remove(inherited);
        }

        start.Environment["PORT"] = port.ToString(CultureInfo.InvariantCulture);
        foreach (var (key, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        var service = new ServiceProcess(process, port);
        process.OutputDataReceived += (_, e) => service.Append(e.Data);
        process.ErrorDataReceived += (_, e) => service.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    private async Task WaitUntilHealthyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var started = Stopwatch.StartNew();

        // Polls another process, so a deadline loop rather than an awaited signal.
        while (started.Elapsed < StartTimeout)
        {
            if (_process.HasExited)
            {
                _process.WaitForExit(); // the rest of its output
                throw new XunitException($"The service exited with {_process.ExitCode} before answering /healthz:\n{Tail(100)}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("healthz", UriKind.Relative), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // a slow first answer on a busy machine
            }

            await Task.Delay(50, cancellationToken);
        }

        throw new XunitException($"The service did not answer /healthz within {StartTimeout.TotalSeconds:0} s:\n{Tail()}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Add(line);
        }
    }

    private static string FindApp()
    {
        // The test assembly runs from tests/Orchestrator.Tests/bin/{configuration}/{tfm}/.
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var tfm = here.Name;
        var configuration = here.Parent?.Name ?? "Debug";
        var app = Path.Combine(TestTools.RepositoryRoot, "src", "Orchestrator", "bin", configuration, tfm, "Orchestrator.dll");
        return File.Exists(app)
            ? app
            : throw new InvalidOperationException($"{app} does not exist; build the solution (the test project's reference builds it).");
    }
}
