using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DataCluster.Kube.Config;

/// <summary>The configuration of a process running in a pod with a service account.</summary>
internal static class InClusterConfig
{
    public static KubeConfig Load(string root)
    {
        var host = Environment.GetEnvironmentVariable(KubeEnvironment.ServiceHost);
        var port = Environment.GetEnvironmentVariable(KubeEnvironment.ServicePort);
        if (string.IsNullOrEmpty(host) || string.IsNullOrEmpty(port))
        {
            throw new KubeConfigException(
                $"Not running in a pod: {KubeEnvironment.ServiceHost} and {KubeEnvironment.ServicePort} must both be set for the in-cluster configuration.");
        }

        return Load(root, host, port);
    }

    internal static KubeConfig Load(string root, string host, string port)
    {
        var tokenFile = Path.Combine(root, "token");
        var caFile = Path.Combine(root, "ca.crt");
        var namespaceFile = Path.Combine(root, "namespace");
        if (!File.Exists(tokenFile))
        {
            throw new KubeConfigException($"The in-cluster service-account token {tokenFile} does not exist (is automountServiceAccountToken false?).");
        }

        if (!File.Exists(caFile))
        {
            throw new KubeConfigException($"The in-cluster CA certificate {caFile} does not exist.");
        }

        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(caFile);
        }
        catch (CryptographicException e)
        {
            throw new KubeConfigException($"The in-cluster CA certificate {caFile} is not valid PEM: {e.Message}", e);
        }

        // An IPv6 service address needs brackets in a URL.
        var hostPart = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;
        var ns = File.Exists(namespaceFile) ? File.ReadAllText(namespaceFile).Trim() : "";
        return new KubeConfig
        {
            Server = new Uri($"https://{hostPart}:{port}"),
            CertificateAuthorities = authorities,
            TokenFile = tokenFile,
            Namespace = ns.Length > 0 ? ns : "default",
            Source = $"in-cluster ({root})",
        };
    }
}
