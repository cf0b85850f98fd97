using System.Text;

namespace Orchestrator.Discord;

/// <summary>Makes untrusted text (issue titles, command arguments) inert in Discord messages.</summary>
public static class Markdown
{
    private const string Special = "\\*_~`|>#[]()-";

    /// <summary>Escapes markdown and breaks mentions (@everyone, @here, &lt;@id&gt;, &lt;@&amp;role&gt;) with a zero-width space.</summary>
    public static string Escape(string text)
    {
        var builder = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (Special.Contains(c, StringComparison.Ordinal))
            {
                builder.Append('\\');
            }

            builder.Append(c);
            if (c == '@')
            {
                builder.Append('\u200B');
            }
        }

        return builder.ToString();
    }

    /// <summary>Cuts text to a limit, marking the cut.</summary>
    public static string Truncate(string text, int maxLength) =>
        text.Length <= maxLength ? text : string.Concat(text.AsSpan(0, maxLength - 1), "…");
}
