using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestrator.Configuration;
using Orchestrator.Health;

namespace Orchestrator.Cli;

/// <summary>
/// <c>doctor [--json] [--timeout 10]</c>: checks the setup end to end (<see cref="Doctor"/>) and prints one line per
/// check with ✓, ! or ✗ and, for each problem, the fix. Exit 0 when nothing failed (warnings allowed), 1 otherwise.
/// </summary>
internal static class DoctorCli
{
    public static Command Build(Func<WebApplication> host, TextWriter output)
    {
        var json = new Option<bool>("--json") { Description = "Print the checks as JSON instead of a checklist." };
        var timeout = new Option<int>("--timeout")
        {
            Description = "Seconds each group of checks may take before it counts as failed.",
            DefaultValueFactory = _ => 10,
            HelpName = "SECONDS",
        };
        timeout.Validators.Add(r =>
        {
            // A value that is not a number is the parser's own error; only a number out of range is ours.
            if (r.Tokens.Count == 1 && int.TryParse(r.Tokens[0].Value, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds is < 1 or > 300)
            {
                r.AddError("--timeout takes a number of seconds from 1 to 300.");
            }
        });

        var doctor = new Command("doctor", "Check settings, the store, GitHub and Discord end to end, without changing anything; exit 1 when something is wrong.") { json, timeout };
        doctor.SetAction(async (parseResult, cancellationToken) =>
        {
            IReadOnlyList<CheckResult> results;
            try
            {
                await using var app = host();
                var check = ActivatorUtilities.CreateInstance<Doctor>(app.Services);
                results = await check.RunAsync(TimeSpan.FromSeconds(parseResult.GetValue(timeout)), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (StartupErrors.Describe(ex) is { } problems)
            {
                results = [.. problems.Select(p => CheckResult.Fail("settings", "valid", p, "Correct the setting as the line says, then run doctor again."))];
            }

            await (parseResult.GetValue(json) ? WriteJsonAsync(output, results) : WriteChecklistAsync(output, results)).ConfigureAwait(false);
            return results.Any(r => r.Status == CheckStatus.Failed) ? OrchestratorCli.Failed : OrchestratorCli.Ok;
        });
        return doctor;
    }

    private static async Task WriteChecklistAsync(TextWriter output, IReadOnlyList<CheckResult> results)
    {
        foreach (var area in results.GroupBy(r => r.Area))
        {
            await output.WriteLineAsync(area.Key).ConfigureAwait(false);
            foreach (var result in area)
            {
                var mark = result.Status switch
                {
                    CheckStatus.Passed => "✓",
                    CheckStatus.Warning => "!",
                    _ => "✗",
                };
                await output.WriteLineAsync($"  {mark} {result.Detail}").ConfigureAwait(false);
                if (result.Fix is { } fix && result.Status != CheckStatus.Passed)
                {
                    await output.WriteLineAsync($"    fix: {fix}").ConfigureAwait(false);
                }
            }
        }

        var (passed, warned, failed) = Count(results);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{failed} failed, {warned} warning(s), {passed} passed.")).ConfigureAwait(false);
    }

    private static Task WriteJsonAsync(TextWriter output, IReadOnlyList<CheckResult> results)
    {
        var (passed, warned, failed) = Count(results);
        var report = new DoctorReport(failed == 0, passed, warned, failed, [.. results.Select(r => new DoctorCheck(r.Area, r.Name, r.Status.ToString().ToLowerInvariant(), r.Detail, r.Fix))]);
        return output.WriteLineAsync(JsonSerializer.Serialize(report, DoctorJsonContext.Default.DoctorReport));
    }

    private static (int Passed, int Warned, int Failed) Count(IReadOnlyList<CheckResult> results) =>
        (results.Count(r => r.Status == CheckStatus.Passed), results.Count(r => r.Status == CheckStatus.Warning), results.Count(r => r.Status == CheckStatus.Failed));
}

internal sealed record DoctorCheck(string Area, string Name, string Status, string Detail, string? Fix);

internal sealed record DoctorReport(bool Ok, int Passed, int Warnings, int Failed, IReadOnlyList<DoctorCheck> Checks);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(DoctorReport))]
internal sealed partial class DoctorJsonContext : JsonSerializerContext;
