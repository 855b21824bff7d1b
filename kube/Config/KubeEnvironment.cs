namespace DataCluster.Kube.Config;

/// <summary>The environment variables the client reads, in one place.</summary>
public static class KubeEnvironment
{
    /// <summary>Colon-separated kubeconfig paths; the first existing one is used.</summary>
    public const string KubeConfig = "KUBECONFIG";

    /// <summary>Set by the kubelet in every pod: the API server's service address.</summary>
    public const string ServiceHost = "KUBERNETES_SERVICE_HOST";

    /// <summary>Set by the kubelet in every pod: the API server's service port.</summary>
    public const string ServicePort = "KUBERNETES_SERVICE_PORT";
}
