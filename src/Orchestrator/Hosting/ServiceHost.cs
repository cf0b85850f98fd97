using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using Orchestrator.Configuration;

namespace Orchestrator.Hosting;

/// <summary>
/// Runs the web service. What stops it from starting — an invalid setting, a port that is taken — is printed as one
/// line per problem naming the setting (never a secret's value, never a stack trace) and exits 1.
/// </summary>
public static class ServiceHost
{
    public const int Failed = 1;

    public static async Task<int> RunAsync(string[] args, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(error);
        WebApplication app;
        IConfiguration? configuration = null;
        try
        {
            var builder = WebApplication.CreateSlimBuilder(args);
            configuration = builder.Configuration;

            // A start that fails (a taken port) is told in one line below; the host's own account is a stack trace.
            builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
            builder.AddOrchestrator();
            app = builder.Build();

            // Every options class is checked now, before anything is logged or listened on, so all problems show at once.
            app.Services.GetService<IStartupValidator>()?.Validate();
        }
        catch (Exception ex) when (StartupErrors.Describe(ex, configuration) is { } problems)
        {
            await WriteAsync(error, problems).ConfigureAwait(false);
            return Failed;
        }

        await using (app.ConfigureAwait(false))
        {
            app.UseOrchestrator();
            try
            {
                await app.RunAsync().ConfigureAwait(false);
                return 0;
            }
            catch (IOException ex) when (ex.InnerException is AddressInUseException || ex.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
            {
                await WriteAsync(error, [$"{ex.Message.TrimEnd('.')}: stop what listens there, or set PORT to a free port."]).ConfigureAwait(false);
                return Failed;
            }
            catch (Exception ex) when (StartupErrors.Describe(ex, app.Configuration) is { } problems)
            {
                await WriteAsync(error, problems).ConfigureAwait(false);
                return Failed;
            }
        }
    }

    private static async Task WriteAsync(TextWriter error, IReadOnlyList<string> problems)
    {
        foreach (var problem in problems)
        {
            await error.WriteLineAsync("error: " + problem).ConfigureAwait(false);
        }

        await error.FlushAsync().ConfigureAwait(false);
    }
}
