using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Orchestrator.Configuration;

/// <summary>
/// Turns what stops the service from starting into lines a person can act on, one per problem, each naming the
/// setting; null for anything else (a bug keeps its stack trace).
/// </summary>
public static partial class StartupErrors
{
    public static IReadOnlyList<string>? Describe(Exception exception, IConfiguration? configuration = null) => exception switch
    {
        OptionsValidationException validation => [.. validation.Failures.Distinct(StringComparer.Ordinal)],
        SettingsException settings => [settings.Message],
        InvalidOperationException { Message: var message } when ConversionFailure().Match(message) is { Success: true } m =>
            [Settings.Invalid(m.Groups["key"].Value, "expected " + Friendly(m.Groups["type"].Value), configuration?[m.Groups["key"].Value])],
        AggregateException aggregate when aggregate.InnerExceptions.Select(e => Describe(e, configuration)).ToList() is var all && all.All(d => d is not null) =>
            [.. all.SelectMany(d => d!)],
        _ when exception.InnerException is { } inner && Describe(inner, configuration) is { } described => described,
        _ => null,
    };

    private static string Friendly(string type) => type switch
    {
        _ when Type.GetType(type) is { IsEnum: true } enumType => "one of " + string.Join(", ", Enum.GetNames(enumType)),
        "System.Int32" or "System.Int64" => "a whole number",
        "System.Double" => "a number",
        "System.Boolean" => "true or false",
        "System.TimeSpan" => "a duration such as 00:05:00 (hh:mm:ss) or 1.00:00:00 (d.hh:mm:ss)",
        "System.Uri" => "an absolute URL",
        _ when type.Contains('.', StringComparison.Ordinal) => "a " + type[(type.LastIndexOf('.') + 1)..] + " value",
        _ => type,
    };

    // Microsoft.Extensions.Configuration.Binder: "Failed to convert configuration value at 'KEY' to type 'TYPE'."
    [GeneratedRegex(@"Failed to convert configuration value(?: '[^']*')? at '(?<key>[^']+)' to type '(?<type>[^']+)'")]
    private static partial Regex ConversionFailure();
}
