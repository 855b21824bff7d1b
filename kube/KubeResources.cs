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

    public static readonly ResourceType<Node> Nodes =
        new("", "v1", "Node", "nodes", namespaced: false, Json.Node, Json.KubeListNode);

    /// <summary>Pods. A pod is bound to a node by POSTing a <see cref="Binding"/> to its <c>binding</c> subresource.</summary>
    public static readonly ResourceType<Pod> Pods =
        new("", "v1", "Pod", "pods", namespaced: true, Json.Pod, Json.KubeListPod);

    public static readonly ResourceType<Service> Services =
        new("", "v1", "Service", "services", namespaced: true, Json.Service, Json.KubeListService);

    public static readonly ResourceType<EndpointSlice> EndpointSlices =
        new("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", namespaced: true, Json.EndpointSlice, Json.KubeListEndpointSlice);
}
