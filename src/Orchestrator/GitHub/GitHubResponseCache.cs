using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Octokit.Caching;
using Octokit.Internal;

namespace Orchestrator.GitHub;

/// <summary>
/// Remembers GitHub's GET answers with their ETags, so Octokit's CachingHttpClient repeats a request as a
/// conditional one (If-None-Match); an unchanged resource answers 304, which costs no rate limit. This is what
/// keeps polling (the ship watch, /status's deploy list) cheap. Entries are keyed by the full URL and a hash
/// of the credential, so one token never reads another's answers; the cache is bounded.
/// </summary>
public sealed class GitHubResponseCache : IResponseCache
{
    private const int MaxEntries = 512;
    private readonly ConcurrentDictionary<string, CachedResponse.V1> _entries = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    // Octokit's contract: null means "not cached" (its signature predates nullable annotations).
    public Task<CachedResponse.V1> GetAsync(IRequest request) =>
        Task.FromResult(_entries.TryGetValue(Key(request), out var cached) ? cached : null!);

    public Task SetAsync(IRequest request, CachedResponse.V1 cachedResponse)
    {
        if (_entries.Count >= MaxEntries)
        {
            // Crude but bounded: a full cache starts over; the next requests are unconditional once.
            _entries.Clear();
        }

        _entries[Key(request)] = cachedResponse;
        return Task.CompletedTask;
    }

    private static string Key(IRequest request)
    {
        var url = new Uri(request.BaseAddress, request.Endpoint).AbsoluteUri
            + string.Concat(request.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"&{p.Key}={p.Value}"));
        var credential = request.Headers.TryGetValue("Authorization", out var authorization) ? authorization : string.Empty;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(credential)))[..16];
        return $"{url}|{hash}";
    }
}
