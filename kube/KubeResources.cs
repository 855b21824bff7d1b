using DataCluster.Kube.Models;

namespace DataCluster.Kube;

/// <summary>The kinds this client knows, with their preferred versions.</summary>
public static class KubeResources
{
    private static readonly KubeJsonContext Json = KubeJsonContext.Default;

    public static readonly ResourceType<Namespace> Namespaces =
        new("", "v1", "Namespace", "namespaces", namespaced: false, Json.Namespace, Json.KubeListNamespace);

    public static readonly ResourceType<ConfigMap> ConfigMaps =
        new("", "v1", "ConfigMap", "configmaps", namespaced: true, Json.ConfigMap, Json.KubeListConfigMap);

    public static readonly ResourceType<Secret> Secrets =
        new("", "v1", "Secret", "secrets", namespaced: true, Json.Secret, Json.KubeListSecret);

    public static readonly ResourceType<Lease> Leases =
        new("coordination.k8s.io", "v1", "Lease", "leases", namespaced: true, Json.Lease, Json.KubeListLease);
}
