using System.CommandLine;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Orchestrator.Discord;
using Orchestrator.Hosting;

namespace Orchestrator.Cli;

/// <summary>
/// The executable's verbs. With no verb (or only configuration arguments such as <c>--Orchestrator:Port=9000</c>), or
/// with <c>serve</c>, it runs the web service. Every other verb builds the web host's configuration and services exactly
/// as the service does (<see cref="OrchestratorBuilder.AddOrchestrator"/>: appsettings, user secrets in Development,
/// environment variables) but never starts it, so Kestrel does not listen.
/// Exit codes: 0 done, 1 failed (message on stderr), 2 usage error.
/// </summary>
public static class OrchestratorCli
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;

    private static readonly string[] HelpTokens = ["--help", "-h", "-?", "/?", "/h"];

    /// <summary>The host's own options that take their value as the next argument.</summary>
    private static readonly string[] HostOptions = ["--urls", "--environment", "--contentRoot", "--applicationName", "--http_ports", "--https_ports"];

    public static Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length == 0 || IsConfiguration(args[0]))
        {
            return ServiceHost.RunAsync(args, Console.Error);
        }

        if (args[0] == "serve" && !args.Skip(1).Any(a => HelpTokens.Contains(a)))
        {
            return ServiceHost.RunAsync(args[1..], Console.Error);
        }

        return RunAsync(args, Console.Out, Console.Error, configure: null, CancellationToken.None);
    }

    /// <param name="configure">Lets tests add configuration or replace services before the host is built.</param>
    internal static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, Action<WebApplicationBuilder>? configure, CancellationToken cancellationToken)
    {
        var root = new RootCommand("Orchestrator: runs a team's delivery loop from Discord and GitHub. With no verb it runs the web service.")
        {
            Serve(),
            CommandsCli.Build(() => BuildHost(configure), output),
            DoctorCli.Build(() => BuildHost(configure), output),
            RunsCli.Build(() => BuildHost(configure), output),
            DeliveriesCli.Build(() => BuildHost(configure), output),
            JobsCli.Build(() => BuildHost(configure), output),
            AuditCli.Build(() => BuildHost(configure), output),
        };
        root.Add(Help(root, output, error));

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // "Required command was not provided" says nothing more when a token was not recognised.
            var errors = parsed.Errors.Any(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal))
                ? parsed.Errors.Where(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal))
                : parsed.Errors;
            foreach (var parseError in errors)
            {
                await error.WriteLineAsync(parseError.Message).ConfigureAwait(false);
            }

            // The whole verb path ("runs list"), so the hint names the help that explains the mistake.
            var verb = string.Empty;
            for (var result = parsed.CommandResult; result.Command != root; result = (System.CommandLine.Parsing.CommandResult)result.Parent!)
            {
                verb = result.Command.Name + " " + verb;
            }

            await error.WriteLineAsync($"Run 'Orchestrator {verb}--help' for usage.").ConfigureAwait(false);
            return Usage;
        }

        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DiscordApiException or InvalidOperationException or OptionsValidationException or HttpRequestException
            or GitHub.GitHubApiException or Storage.StoreUnavailableException)
        {
            // Known failures are explained in their message (never containing a token); a bug still shows its stack.
            await error.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
            return Failed;
        }
    }

    /// <summary>
    /// A configuration argument (<c>--Orchestrator:Port=9000</c>, <c>--urls=…</c>, <c>--urls …</c>) starts the service;
    /// any other word or flag (a typo such as <c>--verison</c>) is the CLI's, which answers unknown ones with usage.
    /// </summary>
    private static bool IsConfiguration(string argument) =>
        argument.StartsWith("--", StringComparison.Ordinal)
        && (argument.Contains('=', StringComparison.Ordinal) || argument.Contains(':', StringComparison.Ordinal) || HostOptions.Contains(argument, StringComparer.OrdinalIgnoreCase));

    /// <summary>Listed in the help; <see cref="RunAsync(string[])"/> starts the service before parsing, so only "serve --help" reaches it.</summary>
    private static Command Serve()
    {
        var serve = new Command("serve", "Run the web service (the default when no verb is given). Configuration arguments may follow, e.g. --Orchestrator:Port=9000.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        serve.SetAction((parseResult, _) => ServiceHost.RunAsync([.. parseResult.UnmatchedTokens], Console.Error));
        return serve;
    }

    private static Command Help(RootCommand root, TextWriter output, TextWriter error)
    {
        var help = new Command("help", "Show the verbs and what they do (the same as --help).");
        help.SetAction((_, cancellationToken) => root.Parse(["--help"]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken));
        return help;
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

        // appsettings.json asks for Information; a terminal verb shows only what went wrong.
        builder.Services.Configure<LoggerFilterOptions>(o =>
        {
            o.Rules.Clear();
            o.MinLevel = LogLevel.Warning;
        });
        configure?.Invoke(builder);
        return builder.Build();
    }
}
