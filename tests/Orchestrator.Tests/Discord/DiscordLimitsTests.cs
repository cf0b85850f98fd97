using Orchestrator.Discord;

namespace Orchestrator.Tests.Discord;

public sealed class DiscordLimitsTests
{
    [Fact]
    public void A_payload_within_the_limits_is_unchanged()
    {
        var payload = new MessagePayload
        {
            Content = "short",
            Embeds = [new Embed { Title = "t", Description = "d", Fields = [new EmbedField("n", "v")], Footer = new EmbedFooter("f") }],
        };

        var fitted = DiscordLimits.Fit(payload);

        Assert.Equal("short", fitted.Content);
        var embed = Assert.Single(fitted.Embeds!);
        Assert.Equal(payload.Embeds[0].Title, embed.Title);
        Assert.Equal(payload.Embeds[0].Description, embed.Description);
        Assert.Equal(payload.Embeds[0].Fields, embed.Fields);
        Assert.Equal(payload.Embeds[0].Footer, embed.Footer);
    }

    [Fact]
    public void Content_is_cut_to_2000_characters_with_a_visible_mark()
    {
        var fitted = DiscordLimits.Fit(MessagePayload.Text(new string('a', 2001)));

        Assert.Equal(2000, fitted.Content!.Length);
        Assert.EndsWith("…", fitted.Content, StringComparison.Ordinal);
    }

    [Fact]
    public void Embeds_fields_and_descriptions_are_cut_to_their_own_limits()
    {
        var payload = new MessagePayload
        {
            Embeds = Enumerable.Range(0, 11).Select(_ => new Embed
            {
                Title = new string('t', 300),
                Description = new string('d', 5000),
                Fields = Enumerable.Range(0, 26).Select(i => new EmbedField(new string('n', 300), new string('v', 2000))).ToList(),
            }).ToList(),
        };

        var embeds = DiscordLimits.Fit(payload).Embeds!;

        Assert.InRange(embeds.Count, 1, DiscordLimits.EmbedsPerMessage);
        Assert.Equal(DiscordLimits.EmbedTitle, embeds[0].Title!.Length);
        Assert.True(embeds[0].Description!.Length <= DiscordLimits.EmbedDescription);
        Assert.All(embeds, e => Assert.True(e.Fields!.Count <= DiscordLimits.EmbedFields));
        Assert.All(embeds.SelectMany(e => e.Fields!), f =>
        {
            Assert.InRange(f.Name.Length, 1, DiscordLimits.EmbedFieldName);
            Assert.InRange(f.Value.Length, 1, DiscordLimits.EmbedFieldValue);
        });
    }

    [Fact]
    public void All_embeds_of_a_message_together_stay_within_6000_characters()
    {
        var payload = new MessagePayload
        {
            Embeds = Enumerable.Range(0, 10).Select(i => new Embed { Title = "Task " + i, Description = new string('d', 4000) }).ToList(),
        };

        var embeds = DiscordLimits.Fit(payload).Embeds!;

        var total = embeds.Sum(e => (e.Title?.Length ?? 0) + (e.Description?.Length ?? 0) + (e.Fields?.Sum(f => f.Name.Length + f.Value.Length) ?? 0) + (e.Footer?.Text.Length ?? 0));
        Assert.InRange(total, 5000, DiscordLimits.EmbedTotal);
        Assert.Equal("Task 0", embeds[0].Title);
        Assert.Equal(4000, embeds[0].Description!.Length);
    }

    [Fact]
    public void Button_labels_are_cut_to_80_characters()
    {
        var payload = new MessagePayload { Components = [new ActionRow([new Button(ButtonStyle.Primary, new string('l', 100), "approve:1")])] };

        var button = Assert.IsType<Button>(Assert.Single(Assert.Single(DiscordLimits.Fit(payload).Components!).Components));

        Assert.Equal(DiscordLimits.ButtonLabel, button.Label.Length);
        Assert.Equal("approve:1", button.CustomId);
    }

    [Fact]
    public void Select_menus_keep_25_options_of_100_characters()
    {
        var options = Enumerable.Range(1, 30).Select(i => new SelectOption(new string('o', 120), i.ToString(System.Globalization.CultureInfo.InvariantCulture), new string('d', 120))).ToList();
        var payload = new MessagePayload { Components = [new ActionRow([new StringSelect("route:1", options, new string('p', 200))])] };

        var select = Assert.IsType<StringSelect>(Assert.Single(Assert.Single(DiscordLimits.Fit(payload).Components!).Components));

        Assert.Equal(DiscordLimits.SelectOptions, select.Options.Count);
        Assert.All(select.Options, o => Assert.Equal(DiscordLimits.SelectText, o.Label.Length));
        Assert.All(select.Options, o => Assert.Equal(DiscordLimits.SelectText, o.Description!.Length));
        Assert.Equal(DiscordLimits.SelectPlaceholder, select.Placeholder!.Length);
        Assert.Equal("route:1", select.CustomId);
    }

    [Fact]
    public void Cutting_never_splits_a_surrogate_pair()
    {
        var text = new string('a', 98) + "😀😀";

        var cut = DiscordLimits.Cut(text, 100);

        Assert.True(cut.Length <= 100);
        Assert.False(char.IsHighSurrogate(cut[^2]), "a lone high surrogate before the ellipsis");
        Assert.EndsWith("…", cut, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Run 42", "Run 42")]
    [InlineData("  Plan\nfor   today\r\n ", "Plan for   today")]
    public void Thread_names_are_put_on_one_line(string name, string expected) =>
        Assert.Equal(expected, DiscordLimits.FitThreadName(name));

    [Theory]
    [InlineData("")]
    [InlineData(" \n ")]
    public void A_thread_needs_a_name(string name) =>
        Assert.Throws<ArgumentException>(() => DiscordLimits.FitThreadName(name));
}
