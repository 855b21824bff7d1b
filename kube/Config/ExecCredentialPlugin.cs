namespace DataCluster.Kube.Config;

/// <summary>Whether an exec credential plugin may talk to the user (kubeconfig <c>interactiveMode</c>).</summary>
public enum ExecInteractiveMode
{
    /// <summary>The plugin never needs standard input.</summary>
    Never,

    /// <summary>The plugin uses standard input when there is a terminal; we never have one, so it runs without.</summary>
    IfAvailable,

    /// <summary>The plugin needs a terminal, which a controller or agent never has: refused when the kubeconfig is read.</summary>
    Always,
}

/// <summary>
/// A kubeconfig user's <c>exec</c> entry: a command that prints an ExecCredential
/// (client.authentication.k8s.io v1 or v1beta1) holding a bearer token or a client certificate.
/// The client runs it before the first request, keeps the credential until its
/// expirationTimestamp, and runs it again after the server rejects the credential (401).
/// </summary>
public sealed record ExecCredentialPlugin
{
    /// <summary>ExecCredential version of kubeconfig <c>apiVersion</c> client.authentication.k8s.io/v1.</summary>
    public const string V1 = "client.authentication.k8s.io/v1";

    /// <summary>ExecCredential version of kubeconfig <c>apiVersion</c> client.authentication.k8s.io/v1beta1.</summary>
    public const string V1Beta1 = "client.authentication.k8s.io/v1beta1";

    /// <summary>
    /// Default for <see cref="Timeout"/>. Cloud plugins (aws eks get-token, gke-gcloud-auth-plugin,
    /// kubelogin) answer in one to three seconds, refreshing a login included; 20 s leaves room
    /// for a slow identity provider and stays below the client's 30 s request timeout, so a hung
    /// plugin is reported as such rather than as a request that got no answer.
    /// </summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    /// <summary>The kubeconfig user this entry belongs to; every error message names it.</summary>
    public required string User { get; init; }

    /// <summary>
    /// The program: a bare name is looked up in PATH; a path with a directory in it that is
    /// relative was resolved against the kubeconfig file's directory when the file was read, as
    /// kubectl does.
    /// </summary>
    public required string Command { get; init; }

    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>Variables added to this process's environment for the plugin, in kubeconfig order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Env { get; init; } = [];

    /// <summary>The ExecCredential version the plugin speaks: <see cref="V1"/> or <see cref="V1Beta1"/>.</summary>
    public string ApiVersion { get; init; } = V1;

    public ExecInteractiveMode InteractiveMode { get; init; } = ExecInteractiveMode.Never;

    /// <summary>Pass the cluster (server, CA, TLS settings, proxy) to the plugin in KUBERNETES_EXEC_INFO.</summary>
    public bool ProvideClusterInfo { get; init; }

    /// <summary>Shown when <see cref="Command"/> cannot be found, to tell the user how to install it.</summary>
    public string? InstallHint { get; init; }

    /// <summary>How long one run may take before it is killed and reported as hung.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;
}
