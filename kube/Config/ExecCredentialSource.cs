using System.Security.Cryptography.X509Certificates;
using DataCluster.Kube.Logging;
using Microsoft.Extensions.Logging;

namespace DataCluster.Kube.Config;

/// <summary>
/// The credential of an exec plugin, kept until shortly before its expirationTimestamp or until
/// the server rejects it. Concurrent callers that find no good credential share one run of the
/// plugin; a failed run is not kept, so the next request tries again.
/// </summary>
internal sealed class ExecCredentialSource(ExecCredentialPlugin plugin, KubeConfig config, TimeProvider timeProvider, ILogger logger) : ICredentialSource
{
    // Renew this long before the stated expiry: it covers clock skew between this machine and the
    // issuer (NTP keeps it to well under a second) and the time a request spends before the
    // server checks its credential. Cloud plugins issue credentials for 15 minutes to an hour,
    // so renewing half a minute early costs one run of the plugin and nothing else.
    internal static readonly TimeSpan ExpiryMargin = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private Credential? _current;
    private DateTimeOffset? _expires;
    private bool _rejected;
    private Task<Credential>? _running;

    /// <summary>
    /// Raised after a run returned another client certificate than the previous run. Connections
    /// authenticated with the old certificate at their handshake must then be closed.
    /// </summary>
    public event Action? ClientCertificateChanged;

    /// <summary>The certificate to present in a TLS handshake now, or null.</summary>
    public X509Certificate2? ClientCertificate
    {
        get
        {
            lock (_gate)
            {
                return _current?.ClientCertificate;
            }
        }
    }

    public async ValueTask<Credential> GetAsync(CancellationToken cancellationToken)
    {
        Task<Credential> running;
        lock (_gate)
        {
            if (_current is not null && !_rejected && (_expires is null || timeProvider.GetUtcNow() < _expires.Value - ExpiryMargin))
            {
                return _current;
            }

            // Not the caller's token: a caller that gives up must not cancel the run others wait for.
            running = _running ??= Task.Run(RunAsync, CancellationToken.None);
        }

        return await running.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Invalidate(Credential rejected)
    {
        lock (_gate)
        {
            if (rejected == _current)
            {
                _rejected = true;
            }
        }
    }

    private async Task<Credential> RunAsync()
    {
        try
        {
            var result = await ExecPluginRunner.RunAsync(plugin, config, CancellationToken.None).ConfigureAwait(false);
            bool certificateChanged;
            lock (_gate)
            {
                certificateChanged = _current?.ClientCertificate is { } previous && !Equals(previous, result.Credential.ClientCertificate);
                _current = result.Credential;
                _expires = result.Expires;
                _rejected = false;
            }

            logger.ExecCredentialObtained(plugin.User, plugin.Command, result.Expires);
            if (certificateChanged)
            {
                ClientCertificateChanged?.Invoke();
            }

            return result.Credential;
        }
        finally
        {
            lock (_gate)
            {
                _running = null;
            }
        }
    }
}
