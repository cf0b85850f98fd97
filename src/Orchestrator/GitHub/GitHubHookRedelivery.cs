using System.Globalization;
using Octokit;

namespace Orchestrator.GitHub;

/// <summary>Asks GitHub to send a webhook delivery again (GitHub never redelivers a failed delivery by itself).</summary>
public interface IGitHubHookRedelivery
{
    /// <summary>
    /// <c>POST /repos/{owner}/{repo}/hooks/{hook_id}/deliveries/{delivery_id}/attempts</c>, or for the App's webhook
    /// (<paramref name="repository"/> null) <c>POST /app/hook/deliveries/{delivery_id}/attempts</c> as the App. GitHub
    /// answers 202 and sends the delivery again with the same X-GitHub-Delivery guid.
    /// </summary>
    Task RedeliverAsync(string? repository, long hookId, long deliveryId, CancellationToken cancellationToken);
}

public sealed class GitHubHookRedelivery(IGitHubClientFactory clients, TimeProvider time) : IGitHubHookRedelivery
{
    public async Task RedeliverAsync(string? repository, long hookId, long deliveryId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var id = deliveryId.ToString(CultureInfo.InvariantCulture);
        IGitHubClient client;
        string path;
        if (repository is null)
        {
            client = clients.CreateForApp() ?? throw new GitHubNotConfiguredException();
            path = $"app/hook/deliveries/{id}/attempts";
        }
        else
        {
            client = await clients.CreateAsync(repository, cancellationToken);
            var (owner, name) = GitHubRepository.Split(repository);
            path = $"repos/{Uri.EscapeDataString(owner)}/{Uri.EscapeDataString(name)}/hooks/{hookId.ToString(CultureInfo.InvariantCulture)}/deliveries/{id}/attempts";
        }

        try
        {
            await client.Connection.Post(new Uri(path, UriKind.Relative), cancellationToken);
        }
        catch (ApiException ex)
        {
            throw GitHubErrors.Translate($"redelivery {id} of {repository ?? "the App's webhook"}", ex, time);
        }
    }
}
