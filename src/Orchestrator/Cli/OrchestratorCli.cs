using System.CommandLine;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Orchestrator.Discord;
using Orchestrator.Hosting;

namespace Orchestrator.Cli;

/// <summary>
/// The executable's command-line mode (<c>Orchestrator commands …</c>). It builds the web host's configuration
/// and services exactly as the service does (<see cref="OrchestratorBuilder.AddOrchestrator"/>: appsettings,
/// user secrets in Development, environment variables) but never starts it, so Kestrel does not listen.
/// Exit codes: 0 done, 1 failed (message on stderr), 2 usage error.
/// </summary>
public static class OrchestratorCli
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;

    public static Task<int> RunAsync(string[] args) =>
        RunAsync(args, Console.Out, Console.Error, configure: null, CancellationToken.None);

    /// <param name="configure">Lets tests add configuration or replace services before the host is built.</param>
    internal static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, Action<WebApplicationBuilder>? configure, CancellationToken cancellationToken)
    {
        var root = new RootCommand("Orchestrator: runs the delivery loop as a web service; these commands manage it from a terminal.")
        {
            CommandsCli.Build(() => BuildHost(configure), output),
        };

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var parseError in parsed.Errors)
            {
                await error.WriteLineAsync(parseError.Message).ConfigureAwait(false);
            }

            await error.WriteLineAsync("Run 'Orchestrator commands --help' for usage.").ConfigureAwait(false);
            return Usage;
        }

        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DiscordApiException or InvalidOperationException or OptionsValidationException or HttpRequestException)
        {
            // Known failures are explained in their message (never containing a token); a bug still shows its stack.
            await error.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
            return Failed;
        }
    }

    private static WebApplication BuildHost(Action<WebApplicationBuilder>? configure)
    {
        // No args: the command line belongs to System.CommandLine, not to the configuration.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.AddOrchestrator();

        // The service logs JSON to stdout; here stdout is for the table, so logs go to stderr, warnings and up.
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        configure?.Invoke(builder);
        return builder.Build();
    }
}
