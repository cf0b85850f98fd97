using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Orchestrator.Telemetry;

/// <summary>
/// One line per log event with the same fields in both styles: timestamp (UTC, ISO 8601, no padding), level,
/// category, event id, the message once, and the ids that matter (interaction, delivery, job, run), taken from the
/// event's own values or its scopes. Nothing else of a scope is written: the framework's request scopes and
/// dictionaries printed as type names only cost bytes. <c>json</c> writes a flat JSON object (CloudWatch, Lambda),
/// <c>simple</c> a short readable line (a terminal, Development). A null value in a message reads "-", never "(null)".
/// </summary>
public sealed class CompactConsoleFormatter(string name, bool json, TimeProvider time) : ConsoleFormatter(name)
{
    public const string JsonName = "json";
    public const string SimpleName = "simple";

    /// <summary>The fields lifted out of values and scopes, in the order they are written.</summary>
    public static readonly IReadOnlyList<string> IdFields = ["InteractionId", "DeliveryId", "JobId", "RunId"];

    private const string OriginalFormat = "{OriginalFormat}";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Logs are read as text, never embedded in HTML: '<', '&' and '`' stay as they are.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _buffer;

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        ArgumentNullException.ThrowIfNull(textWriter);
        var message = Render(logEntry.State, logEntry.Formatter?.Invoke(logEntry.State, null));
        if (string.IsNullOrEmpty(message) && logEntry.Exception is null)
        {
            return;
        }

        var ids = new string?[IdFields.Count];
        Collect(logEntry.State, ids);
        scopeProvider?.ForEachScope(static (scope, found) => Collect(scope, found), ids);
        var timestamp = time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        if (json)
        {
            WriteJson(textWriter, timestamp, logEntry.LogLevel, logEntry.Category, logEntry.EventId.Id, message, ids, logEntry.Exception);
        }
        else
        {
            WriteSimple(textWriter, timestamp, logEntry.LogLevel, logEntry.Category, logEntry.EventId.Id, message, ids, logEntry.Exception);
        }
    }

    private static void WriteJson(TextWriter textWriter, string timestamp, LogLevel level, string category, int eventId, string? message, string?[] ids, Exception? exception)
    {
        var buffer = _buffer ??= new ArrayBufferWriter<byte>(512);
        buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("Timestamp"u8, timestamp);
            writer.WriteString("Level"u8, LevelName(level));
            writer.WriteString("Category"u8, category);
            writer.WriteNumber("EventId"u8, eventId);
            writer.WriteString("Message"u8, message);
            for (var i = 0; i < ids.Length; i++)
            {
                if (ids[i] is { } id)
                {
                    writer.WriteString(IdFields[i], id);
                }
            }

            if (exception is not null)
            {
                writer.WriteString("Exception"u8, exception.ToString());
            }

            writer.WriteEndObject();
        }

        textWriter.Write(Encoding.UTF8.GetString(buffer.WrittenSpan));
        textWriter.Write('\n');
    }

    private static void WriteSimple(TextWriter textWriter, string timestamp, LogLevel level, string category, int eventId, string? message, string?[] ids, Exception? exception)
    {
        var line = new StringBuilder(160);
        line.Append(timestamp).Append(' ').Append(ShortLevel(level)).Append(' ').Append(category)
            .Append('[').Append(eventId.ToString(CultureInfo.InvariantCulture)).Append("] ").Append(message);
        for (var i = 0; i < ids.Length; i++)
        {
            if (ids[i] is { } id)
            {
                line.Append(' ').Append(IdFields[i]).Append('=').Append(id);
            }
        }

        if (exception is not null)
        {
            // The stack goes on the following lines, indented, so the event's own line stays short.
            line.Append('\n').Append("    ").Append(exception.ToString().Replace("\n", "\n    ", StringComparison.Ordinal));
        }

        textWriter.Write(line.Append('\n').ToString());
    }

    private static void Collect(object? state, string?[] ids)
    {
        if (state is not IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            return;
        }

        foreach (var (key, value) in pairs)
        {
            if (value is null || key.Length < 5 || !key.EndsWith("Id", StringComparison.Ordinal))
            {
                continue;
            }

            for (var i = 0; i < IdFields.Count; i++)
            {
                if (ids[i] is null && string.Equals(key, IdFields[i], StringComparison.Ordinal))
                {
                    ids[i] = Convert.ToString(value, CultureInfo.InvariantCulture);
                }
            }
        }
    }

    /// <summary>The formatted message, or, when a value was null, the template rendered again with "-" for it.</summary>
    private static string? Render<TState>(TState state, string? formatted)
    {
        if (formatted is null || !formatted.Contains("(null)", StringComparison.Ordinal)
            || state is not IReadOnlyList<KeyValuePair<string, object?>> values)
        {
            return formatted;
        }

        string? template = null;
        foreach (var (key, value) in values)
        {
            if (key == OriginalFormat)
            {
                template = value as string;
            }
        }

        if (template is null)
        {
            return formatted;
        }

        var text = new StringBuilder(template.Length + 32);
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            var close = c == '{' ? template.IndexOf('}', i) : -1;
            if (close < 0 || (i + 1 < template.Length && template[i + 1] == '{'))
            {
                text.Append(c);
                i += c == '{' && i + 1 < template.Length && template[i + 1] == '{' ? 1 : 0;
                continue;
            }

            var hole = template.AsSpan(i + 1, close - i - 1);
            var colon = hole.IndexOf(':');
            var holeName = (colon < 0 ? hole : hole[..colon]).ToString();
            var format = colon < 0 ? null : hole[(colon + 1)..].ToString();
            object? found = null;
            foreach (var (key, value) in values)
            {
                if (key == holeName)
                {
                    found = value;
                    break;
                }
            }

            text.Append(found switch
            {
                null => "-",
                IFormattable formattable => formattable.ToString(format, CultureInfo.InvariantCulture),
                _ => found.ToString(),
            });
            i = close;
        }

        return text.ToString();
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "Trace",
        LogLevel.Debug => "Debug",
        LogLevel.Information => "Information",
        LogLevel.Warning => "Warning",
        LogLevel.Error => "Error",
        LogLevel.Critical => "Critical",
        _ => "None",
    };

    private static string ShortLevel(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };
}
