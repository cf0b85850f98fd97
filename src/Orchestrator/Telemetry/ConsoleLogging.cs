using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Console;

namespace Orchestrator.Telemetry;

public static class ConsoleLogging
{
    /// <summary>
    /// The console logger with <see cref="CompactConsoleFormatter"/> under the names <c>json</c> and <c>simple</c>
    /// (the framework's formatters of those names are removed). <c>Logging:Console:FormatterName</c> chooses; without
    /// it a person reads <c>simple</c> (Development, or standard output is a terminal) and everything else gets
    /// <c>json</c>. Framework chatter stays at Warning unless configuration asks for more.
    /// </summary>
    public static ILoggingBuilder AddCompactConsole(this ILoggingBuilder logging, IHostEnvironment environment, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(logging);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(configuration);
        logging.AddConsole();
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        logging.AddFilter("Microsoft.Extensions.Http", LogLevel.Warning);

        var services = logging.Services;
        services.RemoveAll<ConsoleFormatter>();
        services.AddSingleton<ConsoleFormatter>(sp => new CompactConsoleFormatter(CompactConsoleFormatter.JsonName, json: true, sp.GetService<TimeProvider>() ?? TimeProvider.System));
        services.AddSingleton<ConsoleFormatter>(sp => new CompactConsoleFormatter(CompactConsoleFormatter.SimpleName, json: false, sp.GetService<TimeProvider>() ?? TimeProvider.System));
        // After every other configuration: the slim host's own console set-up names "simple" itself, which would
        // hide whether the setting was given. Only the setting, or the rule above, decides.
        var person = environment.IsDevelopment() || !Console.IsOutputRedirected;
        services.PostConfigure<ConsoleLoggerOptions>(o => o.FormatterName =
            configuration["Logging:Console:FormatterName"] is { Length: > 0 } chosen ? chosen
            : person ? CompactConsoleFormatter.SimpleName : CompactConsoleFormatter.JsonName);
        return logging;
    }
}
