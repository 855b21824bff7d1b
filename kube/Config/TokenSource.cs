namespace DataCluster.Kube.Config;

/// <summary>Supplies the bearer token for each request. Thread-safe; never blocks on the network.</summary>
internal interface ITokenSource
{
    /// <summary>The token to send now.</summary>
    string GetToken();

    /// <summary>The server rejected the token (401): read it afresh on the next request.</summary>
    void Invalidate();
}

internal sealed class StaticTokenSource(string token) : ITokenSource
{
    public string GetToken() => token;

    public void Invalidate()
    {
    }
}

/// <summary>
/// A token file that may be replaced while we run (the kubelet rotates projected service-account
/// tokens by swapping a symlink). The token is cached and read again when the file's
/// modification time changes, or at least every <see cref="MaxAge"/> in case a swap kept the
/// time, or after a 401.
/// </summary>
internal sealed class FileTokenSource(string path, TimeProvider timeProvider) : ITokenSource
{
    // client-go re-reads token files every minute; the kubelet refreshes a token when 80% of its
    // lifetime (at least an hour) has passed, so a minute of staleness can never outlive it.
    internal static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private string? _token;
    private DateTime _fileTime;
    private DateTimeOffset _readAt;

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

    public void Invalidate()
    {
        lock (_gate)
        {
            _token = null;
        }
    }
}
