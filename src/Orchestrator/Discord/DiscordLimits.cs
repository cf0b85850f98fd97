namespace Orchestrator.Discord;

/// <summary>
/// Discord's size limits in one place. Every payload the REST client sends goes through <see cref="Fit"/>, so a
/// long plan or issue title is cut with a visible "…" instead of being refused with a 400.
/// </summary>
public static class DiscordLimits
{
    public const int MessageContent = 2000;
    public const int EmbedsPerMessage = 10;
    public const int EmbedTitle = 256;
    public const int EmbedDescription = 4096;
    public const int EmbedFields = 25;
    public const int EmbedFieldName = 256;
    public const int EmbedFieldValue = 1024;
    public const int EmbedFooterText = 2048;

    /// <summary>All titles, descriptions, field names and values and footers of one message together.</summary>
    public const int EmbedTotal = 6000;

    public const int ButtonLabel = 80;

    /// <summary>A select option's label and description; a select holds at most <see cref="SelectOptions"/> options.</summary>
    public const int SelectText = 100;

    public const int SelectPlaceholder = 150;

    public const int SelectOptions = 25;
    public const int ThreadName = 100;
    public const int CommandName = 32;
    public const int CommandDescription = 100;
    public const int Nonce = 25;

    /// <summary>The auto-archive durations Discord accepts for a thread, in minutes.</summary>
    public static readonly IReadOnlyList<int> AutoArchiveMinutes = [60, 1440, 4320, 10080];

    private const string Ellipsis = "…";

    /// <summary>Returns the payload cut to Discord's limits; a payload within them is returned unchanged.</summary>
    public static MessagePayload Fit(MessagePayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        return payload with
        {
            Content = payload.Content is null ? null : Cut(payload.Content, MessageContent),
            Embeds = payload.Embeds is null ? null : FitEmbeds(payload.Embeds),
            Components = payload.Components?.Select(row => row with
            {
                Components = row.Components.Select(FitComponent).ToList(),
            }).ToList(),
        };
    }

    private static MessageComponent FitComponent(MessageComponent component) => component switch
    {
        Button button => button with { Label = Cut(button.Label, ButtonLabel) },
        StringSelect select => select with
        {
            Placeholder = select.Placeholder is null ? null : Cut(select.Placeholder, SelectPlaceholder),
            Options = [.. select.Options.Take(SelectOptions).Select(o => o with { Label = Cut(o.Label, SelectText), Description = o.Description is null ? null : Cut(o.Description, SelectText) })],
        },
        _ => component,
    };

    /// <summary>A thread name on one line, 1 to 100 characters.</summary>
    public static string FitThreadName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var oneLine = string.Join(' ', name.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (oneLine.Length == 0)
        {
            throw new ArgumentException("A thread needs a name.", nameof(name));
        }

        return Cut(oneLine, ThreadName);
    }

    /// <summary>Throws unless the duration is one Discord accepts (60, 1440, 4320 or 10080 minutes).</summary>
    public static int CheckAutoArchiveMinutes(int minutes) => AutoArchiveMinutes.Contains(minutes)
        ? minutes
        : throw new ArgumentOutOfRangeException(nameof(minutes), minutes, "Discord archives threads after 60, 1440, 4320 or 10080 minutes.");

    /// <summary>Cuts text to at most <paramref name="max"/> UTF-16 units, ending with "…" and never splitting a surrogate pair.</summary>
    public static string Cut(string text, int max)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length <= max)
        {
            return text;
        }

        if (max <= Ellipsis.Length)
        {
            return max <= 0 ? string.Empty : Ellipsis[..max];
        }

        var keep = max - Ellipsis.Length;
        if (char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }

        return string.Concat(text.AsSpan(0, keep), Ellipsis);
    }

    private static List<Embed> FitEmbeds(IReadOnlyList<Embed> embeds)
    {
        var budget = EmbedTotal;
        var result = new List<Embed>(Math.Min(embeds.Count, EmbedsPerMessage));
        foreach (var embed in embeds.Take(EmbedsPerMessage))
        {
            if (budget <= 0)
            {
                break;
            }

            var title = Take(embed.Title, EmbedTitle, ref budget);
            var description = Take(embed.Description, EmbedDescription, ref budget);
            List<EmbedField>? fields = null;
            if (embed.Fields is not null)
            {
                fields = [];
                foreach (var field in embed.Fields.Take(EmbedFields))
                {
                    // A field needs a name and a value: stop adding fields once both no longer fit.
                    if (budget < 2)
                    {
                        break;
                    }

                    var name = Take(field.Name, Math.Min(EmbedFieldName, budget - 1), ref budget)!;
                    var value = Take(field.Value, EmbedFieldValue, ref budget)!;
                    fields.Add(field with { Name = name, Value = value });
                }
            }

            var footer = embed.Footer is null ? null : Take(embed.Footer.Text, EmbedFooterText, ref budget);
            result.Add(embed with
            {
                Title = title,
                Description = description,
                Fields = fields,
                Footer = string.IsNullOrEmpty(footer) ? null : new EmbedFooter(footer),
            });
        }

        return result;
    }

    private static string? Take(string? text, int max, ref int budget)
    {
        if (text is null)
        {
            return null;
        }

        var cut = Cut(text, Math.Min(max, budget));
        budget -= cut.Length;
        return cut;
    }
}
