using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace DataCluster.Kube.Config;

/// <summary>
/// Where the API server is and how to authenticate to it. Immutable; use <c>with</c> to derive a
/// variant (another user's token, impersonation, another namespace).
/// </summary>
/// <remarks>
/// Build one with <see cref="FromFile"/> (a kubeconfig), <see cref="InCluster"/> (a pod's
/// service-account files) or <see cref="Load"/> (the usual search order), or set the properties
/// directly in tests.
/// </remarks>
public sealed record KubeConfig
{
    /// <summary>The default service-account directory mounted into every pod.</summary>
    public const string ServiceAccountRoot = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>The API server's base address, e.g. https://10.96.0.1:443.</summary>
    public required Uri Server { get; init; }

    /// <summary>Roots to trust for the server certificate instead of the system store; null = system store.</summary>
    public X509Certificate2Collection? CertificateAuthorities { get; init; }

    /// <summary>A client certificate with its private key, for certificate authentication.</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>
    /// A command that prints the credential (kubeconfig <c>exec</c>): a token, a client
    /// certificate or both. When set, <see cref="Token"/> and <see cref="TokenFile"/> are ignored.
    /// </summary>
    public ExecCredentialPlugin? Exec { get; init; }

    /// <summary>A fixed bearer token. Ignored when <see cref="TokenFile"/> is set.</summary>
    public string? Token { get; init; }

    /// <summary>
    /// A file holding the bearer token, re-read when it changes: projected service-account
    /// tokens are rotated by the kubelet while the pod runs.
    /// </summary>
    public string? TokenFile { get; init; }

    /// <summary>Basic-auth user name (rare; for old test clusters).</summary>
    public string? Username { get; init; }

    /// <summary>Basic-auth password.</summary>
    public string? Password { get; init; }

    /// <summary>Skip server certificate validation. For throwaway test clusters only.</summary>
    public bool InsecureSkipTlsVerify { get; init; }

    /// <summary>
    /// The server's name when it differs from the host in <see cref="Server"/>: sent in the TLS
    /// handshake (SNI, and so also as the Host header) and expected in the server certificate.
    /// </summary>
    public string? TlsServerName { get; init; }

    /// <summary>An HTTP(S) or SOCKS proxy for every request to this server (kubeconfig <c>proxy-url</c>); null = the HTTPS_PROXY/NO_PROXY variables.</summary>
    public Uri? ProxyUrl { get; init; }

    /// <summary>The namespace to use when a call does not name one.</summary>
    public string Namespace { get; init; } = "default";

    /// <summary>Act as this user (Impersonate-User header); needs the impersonate permission.</summary>
    public string? ImpersonateUser { get; init; }

    /// <summary>Act with these groups (Impersonate-Group headers).</summary>
    public IReadOnlyList<string> ImpersonateGroups { get; init; } = [];

    /// <summary>Where this configuration came from (a file path or "in-cluster"), for messages.</summary>
    public string? Source { get; init; }

    /// <summary>Reads a kubeconfig file, using <paramref name="context"/> or its current-context.</summary>
    /// <exception cref="KubeConfigException">The file is missing, malformed or lacks a needed field; the message names both.</exception>
    public static KubeConfig FromFile(string path, string? context = null) => KubeConfigFile.Load(path, context);

    /// <summary>
    /// The configuration of a pod: KUBERNETES_SERVICE_HOST/PORT, and the token, CA and namespace
    /// files in <paramref name="root"/>.
    /// </summary>
    /// <exception cref="KubeConfigException">Not running in a pod, or a file is missing.</exception>
    public static KubeConfig InCluster(string root = ServiceAccountRoot) => InClusterConfig.Load(root);

    /// <summary>
    /// The usual search order: the first file in KUBECONFIG (colon-separated), then
    /// ~/.kube/config, then the in-cluster configuration.
    /// </summary>
    public static KubeConfig Load()
    {
        var fromEnv = Environment.GetEnvironmentVariable(KubeEnvironment.KubeConfig);
        if (!string.IsNullOrWhiteSpace(fromEnv))
        {
            var first = fromEnv.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .FirstOrDefault(File.Exists);
            if (first is not null)
            {
                return FromFile(first);
            }

            throw new KubeConfigException($"{KubeEnvironment.KubeConfig}={fromEnv} names no existing file.");
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var defaultPath = Path.Combine(home, ".kube", "config");
        if (File.Exists(defaultPath))
        {
            return FromFile(defaultPath);
        }

        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(KubeEnvironment.ServiceHost)))
        {
            return InCluster();
        }

        throw new KubeConfigException(
            $"No Kubernetes configuration found: {KubeEnvironment.KubeConfig} is not set, {defaultPath} does not exist " +
            $"and {KubeEnvironment.ServiceHost} is not set (not running in a pod).");
    }

    /// <summary>The source of the credential of each request, or null when requests carry none (or basic auth).</summary>
    internal ICredentialSource? CreateCredentialSource(TimeProvider timeProvider, ILogger logger) =>
        Exec is not null ? new ExecCredentialSource(Exec, this, timeProvider, logger)
        : TokenFile is not null ? new FileTokenSource(TokenFile, timeProvider)
        : Token is not null ? new StaticTokenSource(Token)
        : null;
}
