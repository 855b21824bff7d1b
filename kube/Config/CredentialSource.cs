using System.Security.Cryptography.X509Certificates;

namespace DataCluster.Kube.Config;

/// <summary>
/// What one request authenticates with: a bearer token, a client certificate (presented in the
/// TLS handshake), or both. Equal credentials are the same token and the same certificate.
/// </summary>
internal sealed record Credential(string? Token, X509Certificate2? ClientCertificate = null);

/// <summary>
/// Supplies the credential for each request. Thread-safe. <see cref="GetAsync"/> returns at once
/// while its cached credential is good, and may otherwise run a credential plugin.
/// </summary>
internal interface ICredentialSource
{
    /// <summary>The credential to send now.</summary>
    /// <exception cref="KubeConfigException">The credential cannot be obtained; the message says which user and what to fix.</exception>
    ValueTask<Credential> GetAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The server rejected <paramref name="rejected"/> (401): obtain a fresh credential on the next
    /// call unless another caller has already replaced it.
    /// </summary>
    void Invalidate(Credential rejected);
}

internal sealed class StaticTokenSource(string token) : ICredentialSource
{
    private readonly Credential _credential = new(token);

    public ValueTask<Credential> GetAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_credential);

    public void Invalidate(Credential rejected)
    {
    }
}

/// <summary>
/// A token file that may be replaced while we run (the kubelet rotates projected service-account
/// tokens by swapping a symlink). The token is cached and read again when the file's
/// modification time changes, or at least every <see cref="MaxAge"/> in case a swap kept the
/// time, or after a 401.
/// </summary>
internal sealed class FileTokenSource(string path, TimeProvider timeProvider) : ICredentialSource
{
    // client-go re-reads token files every minute; the kubelet refreshes a token when 80% of its
    // lifetime (at least an hour) has passed, so a minute of staleness can never outlive it.
    internal static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private string? _token;
    private DateTime _fileTime;
    private DateTimeOffset _readAt;

    public ValueTask<Credential> GetAsync(CancellationToken cancellationToken) => ValueTask.FromResult(new Credential(GetToken()));

    public void Invalidate(Credential rejected)
    {
        lock (_gate)
        {
            if (_token == rejected.Token)
            {
                _token = null;
            }
        }
    }

    /// <summary>The token now: cached, or read afresh when the file changed or the cache is old.</summary>
    public string GetToken()
    {
        lock (_gate)
        {
            var fileTime = File.GetLastWriteTimeUtc(path); // follows the symlink to the current token
            var now = timeProvider.GetUtcNow();
            if (_token is null || fileTime != _fileTime || now - _readAt >= MaxAge)
            {
                string text;
                try
                {
                    text = File.ReadAllText(path).Trim();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    if (_token is not null)
                    {
                        return _token; // mid-rotation or briefly unreadable: the old token is still valid for a while
                    }

                    throw new KubeConfigException($"Cannot read the token file {path}: {e.Message}", e);
                }

                if (text.Length == 0)
                {
                    throw new KubeConfigException($"The token file {path} is empty.");
                }

                _token = text;
                _fileTime = fileTime;
                _readAt = now;
            }

            return _token;
        }
    }
}
