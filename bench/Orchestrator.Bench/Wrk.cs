using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Bench;

/// <summary>
/// The load generator: wrk (C, epoll), two threads, a fixed request written by a generated Lua script. A header
/// may be made unique per request (a GitHub delivery id: the HMAC covers the body only), as thread prefix plus a
/// counter. Errors are wrk's: connection errors, timeouts and answers outside 2xx/3xx. wrk's own <c>done</c> hook prints the figures as JSON, so nothing is scraped from its text report.
/// </summary>
internal static class Wrk
{
    public static async Task<WrkResult> RunAsync(
        string scenario,
        Uri url,
        int connections,
        TimeSpan duration,
        string body,
        IReadOnlyDictionary<string, string> headers,
        string? uniqueHeader,
        CancellationToken cancellationToken)
    {
        var script = Path.Combine(Path.GetTempPath(), $"orchestrator-wrk-{Guid.NewGuid():N}.lua");
        await File.WriteAllTextAsync(script, Script(body, headers, uniqueHeader), cancellationToken);
        try
        {
            var start = new ProcessStartInfo("wrk")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[]
            {
                "-t", "2", "-c", connections.ToString(CultureInfo.InvariantCulture),
                "-d", $"{(int)Math.Ceiling(duration.TotalSeconds)}s", "--timeout", "10s", "-s", script, url.ToString(),
            })
            {
                start.ArgumentList.Add(argument);
            }

            Process process;
            try
            {
                process = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start.");
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                throw new InvalidOperationException("wrk is not installed: install it with `apt-get install -y wrk` (Debian/Ubuntu).", ex);
            }

            using (process)
            {
                var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
                var errors = process.StandardError.ReadToEndAsync(cancellationToken);
                await process.WaitForExitAsync(cancellationToken);
                var text = await output;
                var line = text.Split('\n').LastOrDefault(l => l.StartsWith("{\"requests\"", StringComparison.Ordinal))
                    ?? throw new InvalidOperationException($"wrk exited with {process.ExitCode} without figures:\n{text}\n{await errors}");
                var raw = JsonSerializer.Deserialize(line, WrkJsonContext.Default.WrkRaw)!;
                var seconds = raw.DurationUs / 1e6;
                return new WrkResult(
                    scenario,
                    connections,
                    raw.Requests,
                    raw.Non2xx + raw.Connect + raw.Read + raw.Write + raw.Timeout,
                    Math.Round(raw.Requests / seconds, 0),
                    Math.Round(raw.P50Us / 1000.0, 2),
                    Math.Round(raw.P99Us / 1000.0, 2),
                    Math.Round(raw.MaxUs / 1000.0, 2),
                    Math.Round(seconds, 2));
            }
        }
        finally
        {
            File.Delete(script);
        }
    }

    private static string Script(string body, IReadOnlyDictionary<string, string> headers, string? uniqueHeader)
    {
        var lua = new StringBuilder();
        lua.AppendLine("wrk.method = \"POST\"");
        lua.Append("wrk.body = ").AppendLine(Quote(body));
        foreach (var (name, value) in headers)
        {
            lua.Append("wrk.headers[").Append(Quote(name)).Append("] = ").AppendLine(Quote(value));
        }

        lua.AppendLine(
            """
            local next_id = 0
            function setup(thread)
              next_id = next_id + 1
              thread:set("prefix", string.format("%08x-%04x", os.time(), next_id))
            end
            local counter = 0
            """);
        if (uniqueHeader is not null)
        {
            lua.AppendLine(
                $$"""
                local headers = {}
                function init(args)
                  for k, v in pairs(wrk.headers) do headers[k] = v end
                end
                function request()
                  counter = counter + 1
                  headers[{{Quote(uniqueHeader)}}] = prefix .. "-" .. string.format("%012d", counter)
                  return wrk.format(nil, nil, headers)
                end
                """);
        }

        lua.AppendLine(
            """
            function done(summary, latency, requests)
              local e = summary.errors
              io.write(string.format('{"requests":%d,"duration_us":%d,"non2xx":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
                summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
                latency:percentile(50), latency:percentile(99), latency.max))
            end
            """);
        return lua.ToString();
    }

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"";
}

internal sealed record WrkRaw(
    [property: JsonPropertyName("requests")] long Requests,
    [property: JsonPropertyName("duration_us")] long DurationUs,
    [property: JsonPropertyName("non2xx")] long Non2xx,
    [property: JsonPropertyName("connect")] long Connect,
    [property: JsonPropertyName("read")] long Read,
    [property: JsonPropertyName("write")] long Write,
    [property: JsonPropertyName("timeout")] long Timeout,
    [property: JsonPropertyName("p50_us")] long P50Us,
    [property: JsonPropertyName("p99_us")] long P99Us,
    [property: JsonPropertyName("max_us")] long MaxUs);

internal sealed record WrkResult(
    [property: JsonPropertyName("scenario")] string Scenario,
    [property: JsonPropertyName("connections")] int Connections,
    [property: JsonPropertyName("requests")] long Requests,
    [property: JsonPropertyName("errors")] long Errors,
    [property: JsonPropertyName("requests_per_second")] double RequestsPerSecond,
    [property: JsonPropertyName("p50_ms")] double P50Ms,
    [property: JsonPropertyName("p99_ms")] double P99Ms,
    [property: JsonPropertyName("max_ms")] double MaxMs,
    [property: JsonPropertyName("seconds")] double Seconds);

[JsonSerializable(typeof(WrkRaw))]
[JsonSerializable(typeof(WrkResult))]
internal sealed partial class WrkJsonContext : JsonSerializerContext;
