using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.Json.Serialization.Metadata;

namespace Orchestrator.Cli;

/// <summary>
/// What the operator verbs (runs, deliveries, jobs, audit) share: they read the store the service is configured with
/// (SQLite file or DynamoDB tables) directly, so they work while the service runs; every listing has --json.
/// </summary>
internal static class OperatorCli
{
    /// <summary>Who the audit log names for an action taken from the command line.</summary>
    public static string Actor => "cli:" + Environment.UserName;

    public static Option<bool> Json() => new("--json")
    {
        Description = "Print JSON (snake_case fields, times in ISO 8601 UTC) instead of a table.",
    };

    public static Option<int> Limit(int defaultValue = 50)
    {
        var limit = new Option<int>("--limit", "-n")
        {
            Description = $"At most this many rows (default {defaultValue}).",
            HelpName = "N",
            DefaultValueFactory = _ => defaultValue,
        };
        limit.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 10_000)
            {
                result.AddError("--limit takes a number from 1 to 10000.");
            }
        });
        return limit;
    }

    /// <summary>--since: a duration back from now (90s, 30m, 24h, 7d) or a UTC time (2026-11-25T09:00:00Z).</summary>
    public static Option<Since?> Since(string? defaultValue)
    {
        var since = new Option<Since?>("--since")
        {
            Description = "Only what happened since then: a duration back from now (30m, 24h, 7d) or an ISO 8601 time.",
            HelpName = "T",
            CustomParser = result => Parse(result, result.Tokens[0].Value),
        };
        if (defaultValue is not null)
        {
            since.DefaultValueFactory = result => Parse(result, defaultValue);
        }

        return since;
    }

    /// <summary>An id argument: required, non-empty.</summary>
    public static Argument<string> Id(string name, string description) => new(name) { Description = description };

    public static async Task WriteJsonAsync<T>(TextWriter output, T value, JsonTypeInfo<T> type)
    {
        await output.WriteLineAsync(System.Text.Json.JsonSerializer.Serialize(value, type)).ConfigureAwait(false);
    }

    public static string Time(DateTimeOffset? value) =>
        value is { } v ? v.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "Z" : "-";

    public static string Duration(double? seconds) => Operations.Names.Duration(seconds);

    public static string Cell(string? value, int max = 60)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "-";
        }

        var line = value.ReplaceLineEndings(" ");
        return line.Length <= max ? line : line[..(max - 1)] + "…";
    }

    private static Since? Parse(ArgumentResult result, string text)
    {
        if (TryParse(text, out var since))
        {
            return since;
        }

        result.AddError($"--since takes a duration such as 30m, 24h or 7d, or a time such as 2026-11-25T09:00:00Z, not '{text}'.");
        return null;
    }

    internal static bool TryParse(string text, out Since since)
    {
        since = default;
        if (text.Length >= 2 && double.TryParse(text[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) && amount >= 0)
        {
            TimeSpan? ago = char.ToLowerInvariant(text[^1]) switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                'd' => TimeSpan.FromDays(amount),
                _ => null,
            };
            if (ago is { } value)
            {
                since = new Since(value, null, text);
                return true;
            }
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
        {
            since = new Since(null, at, text);
            return true;
        }

        return false;
    }
}

/// <summary>A --since value: resolved against the service's clock when the verb runs.</summary>
internal readonly record struct Since(TimeSpan? Ago, DateTimeOffset? At, string Text)
{
    public override string ToString() => Text;

    public DateTimeOffset Resolve(TimeProvider time) => At ?? time.GetUtcNow() - (Ago ?? TimeSpan.Zero);
}

/// <summary>Runs a verb's body against the built host's services.</summary>
internal static class HostCommand
{
    public static void SetAction(this Command command, Func<WebApplication> host, Func<ParseResult, IServiceProvider, CancellationToken, Task> run) =>
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            await using var app = host();
            await run(parseResult, app.Services, cancellationToken).ConfigureAwait(false);
            return OrchestratorCli.Ok;
        });
}
