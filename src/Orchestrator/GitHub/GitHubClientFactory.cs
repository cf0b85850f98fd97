using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Octokit;
using Octokit.Internal;

namespace Orchestrator.GitHub;

/// <summary>
/// Builds Octokit clients whose HTTP goes through the "GitHub" named HttpClient (and so its retries). With a
/// token the credentials are static. With an App it signs an RS256 JWT, finds the repository's installation
/// (unless one is configured), buys an installation token and keeps it until five minutes before it expires.
/// </summary>
public sealed partial class GitHubClientFactory(
    IOptionsMonitor<GitHubOptions> options,
    IHttpMessageHandlerFactory handlers,
    TimeProvider time,
    ILogger<GitHubClientFactory> logger) : IGitHubClientFactory, IDisposable
{
    /// <summary>Tokens are renewed this long before GitHub says they expire.</summary>
    public static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(5);

    private static readonly ProductHeaderValue Product = new("Orchestrator", typeof(GitHubClientFactory).Assembly.GetName().Version?.ToString(3) ?? "0.1.0");

    private readonly ConcurrentDictionary<long, InstallationToken> _tokens = new();
    private readonly GitHubResponseCache _cache = new();
    private readonly ConcurrentDictionary<string, long> _installations = new(StringComparer.OrdinalIgnoreCase);
    private readonly SemaphoreSlim _renewal = new(1, 1);
    private readonly Lock _keyGate = new();
    private (string Pem, RSA Key)? _key;

    public async Task<IGitHubClient> CreateAsync(string repository, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        if (!string.IsNullOrWhiteSpace(settings.Token))
        {
            return Client(settings, settings.Token);
        }

        if (!settings.HasApiCredentials)
        {
            throw new GitHubNotConfiguredException();
        }

        var token = await InstallationTokenAsync(settings, repository, cancellationToken);
        return Client(settings, token);
    }

    public Task<IGitHubClient> CreateForUserAsync(string repository, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var token = !string.IsNullOrWhiteSpace(settings.UserToken) ? settings.UserToken : settings.Token;
        if (string.IsNullOrWhiteSpace(token))
        {
            throw new GitHubNotConfiguredException($"{GitHubOptions.Section}:UserToken is needed: GitHub refuses App installation tokens for this call (assigning Copilot).");
        }

        return Task.FromResult<IGitHubClient>(Client(settings, token));
    }

    public IGitHubClient? CreateForApp()
    {
        var settings = options.CurrentValue;
        return !string.IsNullOrWhiteSpace(settings.Token) || !settings.HasApiCredentials ? null : Client(settings, CreateJwt(settings));
    }

    public void Dispose()
    {
        _renewal.Dispose();
        _key?.Key.Dispose();
    }

    /// <summary>An RS256 JWT for the App: issued 60 s in the past (clock drift), valid 9 minutes (GitHub allows 10).</summary>
    internal string CreateJwt(GitHubOptions settings)
    {
        var now = time.GetUtcNow();
        var header = Base64Url("""{"alg":"RS256","typ":"JWT"}"""u8);
        var payload = Base64Url(JsonSerializer.SerializeToUtf8Bytes(
            new JwtClaims(now.AddSeconds(-60).ToUnixTimeSeconds(), now.AddMinutes(9).ToUnixTimeSeconds(), settings.AppId!),
            GitHubJsonContext.Default.JwtClaims));
        var signed = Encoding.ASCII.GetBytes(header + "." + payload);
        var signature = Key(settings).SignData(signed, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{header}.{payload}.{Base64Url(signature)}";
    }

    private static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Normalise(string pem) =>
        pem.Contains('\n', StringComparison.Ordinal) ? pem : pem.Replace("\\n", "\n", StringComparison.Ordinal);

    private RSA Key(GitHubOptions settings)
    {
        lock (_keyGate)
        {
            var pem = Normalise(settings.AppPrivateKey!);
            if (_key is { } cached && cached.Pem == pem)
            {
                return cached.Key;
            }

            var key = RSA.Create();
            try
            {
                key.ImportFromPem(pem);
            }
            catch (ArgumentException)
            {
                key.Dispose();
                throw new InvalidOperationException($"{GitHubOptions.Section}:AppPrivateKey is not a PEM RSA private key.");
            }

            _key?.Key.Dispose();
            _key = (pem, key);
            return key;
        }
    }

    private async Task<string> InstallationTokenAsync(GitHubOptions settings, string repository, CancellationToken cancellationToken)
    {
        var installationId = settings.InstallationId ?? await InstallationIdAsync(settings, repository, cancellationToken);
        if (Fresh(installationId) is { } fresh)
        {
            return fresh;
        }

        await _renewal.WaitAsync(cancellationToken);
        try
        {
            if (Fresh(installationId) is { } renewedMeanwhile)
            {
                return renewedMeanwhile;
            }

            var app = Client(settings, CreateJwt(settings));
            var token = await app.GitHubApps.CreateInstallationToken(installationId);
            _tokens[installationId] = new InstallationToken(token.Token, token.ExpiresAt);
            Log.TokenRenewed(logger, installationId, token.ExpiresAt);
            return token.Token;
        }
        finally
        {
            _renewal.Release();
        }
    }

    private string? Fresh(long installationId) =>
        _tokens.TryGetValue(installationId, out var cached) && cached.ExpiresAt - RenewBefore > time.GetUtcNow() ? cached.Token : null;

    private async Task<long> InstallationIdAsync(GitHubOptions settings, string repository, CancellationToken cancellationToken)
    {
        if (_installations.TryGetValue(repository, out var known))
        {
            return known;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var (owner, name) = GitHubRepository.Split(repository);
        var app = Client(settings, CreateJwt(settings));
        var installation = await app.GitHubApps.GetRepositoryInstallationForCurrent(owner, name);
        Log.InstallationFound(logger, repository, installation.Id);
        return _installations[repository] = installation.Id;
    }

    private GitHubClient Client(GitHubOptions settings, string credential)
    {
        var baseAddress = settings.ApiBaseUrl.AbsoluteUri.EndsWith('/') ? settings.ApiBaseUrl : new Uri(settings.ApiBaseUrl.AbsoluteUri + "/");

        // The adapter wraps a handler from IHttpClientFactory: pooled, rotated and never disposed by us, so a
        // client per call is cheap and follows DNS changes. Connection(header, uri, ...) keeps the base path as
        // given (GitHubClient(header, uri) would append /api/v3/ to any host but github.com).
        var http = new HttpClientAdapter(() => handlers.CreateHandler(GitHubResilience.ClientName));
        var connection = new Connection(
            Product,
            baseAddress,
            new InMemoryCredentialStore(new Credentials(credential, AuthenticationType.Bearer)),
            http,
            new SimpleJsonSerializer());
        return new GitHubClient(connection) { ResponseCache = _cache };
    }

    private sealed record InstallationToken(string Token, DateTimeOffset ExpiresAt)
    {
        public override string ToString() => $"InstallationToken {{ ExpiresAt = {ExpiresAt.ToString("O", CultureInfo.InvariantCulture)} }}";
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 230, Level = LogLevel.Information, Message = "GitHub App installation token for installation {InstallationId} renewed; expires {ExpiresAt}")]
        public static partial void TokenRenewed(ILogger logger, long installationId, DateTimeOffset expiresAt);

        [LoggerMessage(EventId = 231, Level = LogLevel.Information, Message = "GitHub App installation {InstallationId} serves {Repository}")]
        public static partial void InstallationFound(ILogger logger, string repository, long installationId);
    }
}

/// <summary>The JWT claims GitHub reads: issued at, expires, issuer (the App id).</summary>
internal sealed record JwtClaims(long Iat, long Exp, string Iss);
