using Microsoft.Playwright;

namespace Orchestrator.Tests.Pages;

/// <summary>A page of the dashboard in a real browser: navigation, the tables by id, the buttons, a screenshot per page.</summary>
public sealed class DashboardPage(IPage page, Uri service, string screenshots)
{
    public IPage Page { get; } = page;

    public Task<IResponse?> OpenAsync(string path = "/admin") => Page.GotoAsync(new Uri(service, path).AbsoluteUri);

    public Task<string> HeadingAsync() => Page.Locator("h1").InnerTextAsync();

    /// <summary>
    /// Clicks "Sign in with GitHub" and waits until the redirects (GitHub's authorize page, the callback) end back on
    /// <c>/admin</c>. Waiting for the URL alone would race: the signed-out page is <c>/admin</c> too.
    /// </summary>
    public async Task SignInWithGitHubAsync()
    {
        // The page GitHub's callback redirects to is the request that ends the chain (its RedirectedFrom is the callback).
        var back = Page.WaitForRequestFinishedAsync(new() { Predicate = r => r.RedirectedFrom is { } from && from.Url.Contains("/admin/signin-github", StringComparison.Ordinal) });
        await Page.GetByRole(AriaRole.Link, new() { Name = "Sign in with GitHub" }).ClickAsync();
        await back;
        await Page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
    }

    public Task<string> SignedInAsAsync() => Page.Locator("header .who b").InnerTextAsync();

    public ILocator Rows(string table) => Page.Locator($"table#{table} tbody tr");

    public ILocator Row(string table, string text) => Rows(table).Filter(new() { HasText = text });

    /// <summary>The figure of one of a page's summary boxes (queue-depth, dead, duplicate-count, ...).</summary>
    public Task<string> StatAsync(string id) => Page.Locator($"#{id} b").InnerTextAsync();

    public Task GoToAsync(string menu) => Page.GetByRole(AriaRole.Link, new() { Name = menu, Exact = true }).ClickAsync();

    public Task ClickRetryAsync(string jobId) => Row("dead-letters", jobId).GetByRole(AriaRole.Button, new() { Name = "Retry" }).ClickAsync();

    public Task<string> FlashAsync() => Page.Locator(".flash").InnerTextAsync();

    public async Task<string> ScreenshotAsync(string name)
    {
        Directory.CreateDirectory(screenshots);
        var path = Path.Combine(screenshots, name + ".png");
        await Page.ScreenshotAsync(new() { Path = path, FullPage = true });
        return path;
    }
}
