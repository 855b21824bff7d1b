using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using DataCluster.Kube.Config;

namespace DataCluster.Kube.Client;

/// <summary>Builds the HTTP handler for a configuration: TLS trust, client certificate, pooling.</summary>
internal static class KubeHttpHandler
{
    /// <param name="exec">The exec plugin's credentials when the configuration has one: its client certificate is chosen at each handshake.</param>
    public static SocketsHttpHandler Create(KubeConfig config, KubeClientOptions options, ExecCredentialSource? exec = null)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = options.ConnectTimeout,

            // The server compresses large list responses when asked.
            AutomaticDecompression = DecompressionMethods.GZip,

            // Replace pooled connections now and then so a server-side change (a new API server
            // behind a load balancer, a rotated serving certificate) is picked up. 5 minutes
            // is long enough that reconnecting costs nothing noticeable.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),

            // For HTTP/2: detect a dead connection within ~45 s instead of waiting for TCP.
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(15),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            UseCookies = false,
            AllowAutoRedirect = false,
        };

        if (config.ProxyUrl is not null)
        {
            handler.Proxy = new WebProxy(config.ProxyUrl);
            handler.UseProxy = true;
        }

        if (exec is not null)
        {
            // The plugin's certificate changes over time: pick the current one for each new
            // connection, and close the connections that presented a replaced one.
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => exec.ClientCertificate!;
            var connections = new ConnectionTracker();
            handler.ConnectCallback = connections.ConnectAsync;
            exec.ClientCertificateChanged += connections.CloseAll;
        }
        else if (config.ClientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = [config.ClientCertificate];
        }

        var authorities = config.CertificateAuthorities;
        var expectedName = config.TlsServerName;
        if (config.InsecureSkipTlsVerify)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
        }
        else if (authorities is not null || expectedName is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback =
                (_, certificate, _, errors) => Validate(certificate, errors, authorities, expectedName);
        }

        return handler;
    }

    /// <summary>
    /// Trusts exactly the configured authorities (not the system store, as kubectl does) and
    /// checks the name, against <paramref name="expectedName"/> when the kubeconfig names one.
    /// </summary>
    internal static bool Validate(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection? authorities, string? expectedName)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        using var leaf = new X509Certificate2(certificate);
        if (expectedName is not null)
        {
            if (!leaf.MatchesHostname(expectedName))
            {
                return false;
            }
        }
        else if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return false;
        }

        if (authorities is null)
        {
            return !errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors);
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck; // clusters publish no CRLs we could reach
        return chain.Build(leaf);
    }
}
