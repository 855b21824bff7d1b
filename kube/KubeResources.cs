using DataCluster.Kube.Conversion;
using DataCluster.Kube.Models;

namespace DataCluster.Kube;

/// <summary>
/// The kinds this client knows, with their preferred versions. EndpointSlices and
/// PodDisruptionBudgets are also served as v1beta1 by older servers (1.20); discovery picks the
/// version and <see cref="ResourceType{T}.WithVersion"/> returns a descriptor that converts.
/// </summary>
public static class KubeResources
{
    private static readonly KubeJsonContext Json = KubeJsonContext.Default;

    // core/v1

    public static readonly ResourceType<Namespace> Namespaces =
        new("", "v1", "Namespace", "namespaces", namespaced: false, Json.Namespace, Json.KubeListNamespace);

    public static readonly ResourceType<ConfigMap> ConfigMaps =
        new("", "v1", "ConfigMap", "configmaps", namespaced: true, Json.ConfigMap, Json.KubeListConfigMap);

    public static readonly ResourceType<Secret> Secrets =
        new("", "v1", "Secret", "secrets", namespaced: true, Json.Secret, Json.KubeListSecret);

    public static readonly ResourceType<Node> Nodes =
        new("", "v1", "Node", "nodes", namespaced: false, Json.Node, Json.KubeListNode);

    /// <summary>Pods. A pod is bound to a node by POSTing a <see cref="Binding"/> to its <c>binding</c> subresource.</summary>
    public static readonly ResourceType<Pod> Pods =
        new("", "v1", "Pod", "pods", namespaced: true, Json.Pod, Json.KubeListPod);

    public static readonly ResourceType<Service> Services =
        new("", "v1", "Service", "services", namespaced: true, Json.Service, Json.KubeListService);

    public static readonly ResourceType<ServiceAccount> ServiceAccounts =
        new("", "v1", "ServiceAccount", "serviceaccounts", namespaced: true, Json.ServiceAccount, Json.KubeListServiceAccount);

    public static readonly ResourceType<PersistentVolumeClaim> PersistentVolumeClaims =
        new("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", namespaced: true, Json.PersistentVolumeClaim, Json.KubeListPersistentVolumeClaim);

    /// <summary>Core v1 Events, the ones <c>kubectl describe</c> shows.</summary>
    public static readonly ResourceType<Event> Events =
        new("", "v1", "Event", "events", namespaced: true, Json.Event, Json.KubeListEvent);

    // other groups

    public static readonly ResourceType<Lease> Leases =
        new("coordination.k8s.io", "v1", "Lease", "leases", namespaced: true, Json.Lease, Json.KubeListLease);

    public static readonly ResourceType<StatefulSet> StatefulSets =
        new("apps", "v1", "StatefulSet", "statefulsets", namespaced: true, Json.StatefulSet, Json.KubeListStatefulSet);

    /// <summary>Served as v1 from 1.21 and as v1beta1 up to 1.24.</summary>
    public static readonly ResourceType<EndpointSlice> EndpointSlices =
        new MultiVersionResourceType<EndpointSlice>(
            "discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", namespaced: true, Json.EndpointSlice, Json.KubeListEndpointSlice,
            EndpointSliceV1Beta1Converter.Instance);

    /// <summary>Served as v1 from 1.21 and as v1beta1 up to 1.24. See <see cref="PodDisruptionBudget"/> for the one difference in meaning.</summary>
    public static readonly ResourceType<PodDisruptionBudget> PodDisruptionBudgets =
        new MultiVersionResourceType<PodDisruptionBudget>(
            "policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", namespaced: true, Json.PodDisruptionBudget, Json.KubeListPodDisruptionBudget,
            PodDisruptionBudgetV1Beta1Converter.Instance);

    public static readonly ResourceType<Role> Roles =
        new("rbac.authorization.k8s.io", "v1", "Role", "roles", namespaced: true, Json.Role, Json.KubeListRole);

    public static readonly ResourceType<RoleBinding> RoleBindings =
        new("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", namespaced: true, Json.RoleBinding, Json.KubeListRoleBinding);

    public static readonly ResourceType<ClusterRole> ClusterRoles =
        new("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", namespaced: false, Json.ClusterRole, Json.KubeListClusterRole);

    public static readonly ResourceType<ClusterRoleBinding> ClusterRoleBindings =
        new("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", namespaced: false, Json.ClusterRoleBinding, Json.KubeListClusterRoleBinding);

    public static readonly ResourceType<CustomResourceDefinition> CustomResourceDefinitions =
        new("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", namespaced: false, Json.CustomResourceDefinition, Json.KubeListCustomResourceDefinition);

    /// <summary>Create-only: POST one to the collection path and read the answer from the response's status.</summary>
    public static readonly ResourceType<SubjectAccessReview> SubjectAccessReviews =
        new("authorization.k8s.io", "v1", "SubjectAccessReview", "subjectaccessreviews", namespaced: false, Json.SubjectAccessReview, Json.KubeListSubjectAccessReview);
}
