using System.Reflection;
using System.Text.Json.Nodes;
using DataCluster.Kube.Models;
using Xunit;

namespace DataCluster.Kube.Tests.Models;

/// <summary>Every entry of <see cref="KubeResources"/>, found by reflection so a new entry is covered without editing this file.</summary>
public sealed class CatalogTests
{
    private static readonly Dictionary<string, (string ApiVersion, string Kind, string Plural, bool Namespaced)> Expected = new()
    {
        ["Namespaces"] = ("v1", "Namespace", "namespaces", false),
        ["ConfigMaps"] = ("v1", "ConfigMap", "configmaps", true),
        ["Secrets"] = ("v1", "Secret", "secrets", true),
        ["Nodes"] = ("v1", "Node", "nodes", false),
        ["Pods"] = ("v1", "Pod", "pods", true),
        ["Services"] = ("v1", "Service", "services", true),
        ["ServiceAccounts"] = ("v1", "ServiceAccount", "serviceaccounts", true),
        ["PersistentVolumeClaims"] = ("v1", "PersistentVolumeClaim", "persistentvolumeclaims", true),
        ["Events"] = ("v1", "Event", "events", true),
        ["Leases"] = ("coordination.k8s.io/v1", "Lease", "leases", true),
        ["StatefulSets"] = ("apps/v1", "StatefulSet", "statefulsets", true),
        ["EndpointSlices"] = ("discovery.k8s.io/v1", "EndpointSlice", "endpointslices", true),
        ["PodDisruptionBudgets"] = ("policy/v1", "PodDisruptionBudget", "poddisruptionbudgets", true),
        ["Roles"] = ("rbac.authorization.k8s.io/v1", "Role", "roles", true),
        ["RoleBindings"] = ("rbac.authorization.k8s.io/v1", "RoleBinding", "rolebindings", true),
        ["ClusterRoles"] = ("rbac.authorization.k8s.io/v1", "ClusterRole", "clusterroles", false),
        ["ClusterRoleBindings"] = ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "clusterrolebindings", false),
        ["CustomResourceDefinitions"] = ("apiextensions.k8s.io/v1", "CustomResourceDefinition", "customresourcedefinitions", false),
        ["SubjectAccessReviews"] = ("authorization.k8s.io/v1", "SubjectAccessReview", "subjectaccessreviews", false),
    };

    public static TheoryData<string> Entries => [.. CatalogFields().Select(f => f.Name)];

    [Fact]
    public void Catalog_holds_exactly_the_expected_kinds()
    {
        Assert.Equal(Expected.Keys.Order(), CatalogFields().Select(f => f.Name).Order());
    }

    [Theory]
    [MemberData(nameof(Entries))]
    public void Entry_describes_its_kind(string entry)
    {
        var descriptor = Describe(entry);
        var (apiVersion, kind, plural, namespaced) = Expected[entry];
        Assert.Equal(apiVersion, descriptor.ApiVersion);
        Assert.Equal(kind, descriptor.Kind);
        Assert.Equal(plural, descriptor.Plural);
        Assert.Equal(namespaced, descriptor.Namespaced);
        Assert.Equal(kind, descriptor.ModelType.Name);
    }

    [Theory]
    [MemberData(nameof(Entries))]
    public void Entry_uses_the_source_generated_context(string entry)
    {
        var descriptor = Describe(entry);
        Assert.IsType<KubeJsonContext>(descriptor.TypeInfo.OriginatingResolver);
        Assert.IsType<KubeJsonContext>(descriptor.ListTypeInfo.OriginatingResolver);
    }

    [Theory]
    [MemberData(nameof(Entries))]
    public void A_new_object_serializes_with_apiVersion_and_kind_and_no_nulls(string entry)
    {
        var descriptor = Describe(entry);
        var json = descriptor.SerializeNew().AsObject();

        var (apiVersion, kind, _, _) = Expected[entry];
        Assert.Equal(apiVersion, (string?)json["apiVersion"]);
        Assert.Equal(kind, (string?)json["kind"]);
        Assert.Equal(["apiVersion", "kind", "metadata"], json.Take(3).Select(p => p.Key));
        Assert.Empty(Json.NullPaths(json));
    }

    [Theory]
    [MemberData(nameof(Entries))]
    public void A_new_object_reads_back_through_its_descriptor(string entry)
    {
        var descriptor = Describe(entry);
        var json = descriptor.SerializeNew();
        var again = descriptor.ReadAndSerialize(json);
        Json.Equal(json, again);
    }

    [Fact]
    public void Only_EndpointSlices_and_PodDisruptionBudgets_have_an_older_version()
    {
        var multiVersion = CatalogFields()
            .Select(f => Describe(f.Name))
            .Where(d => d.ServedVersions.Count > 1)
            .ToDictionary(d => d.Kind, d => d.ServedVersions);

        Assert.Equal(["EndpointSlice", "PodDisruptionBudget"], multiVersion.Keys.Order());
        Assert.All(multiVersion.Values, v => Assert.Equal(["v1", "v1beta1"], v));
    }

    private static IEnumerable<FieldInfo> CatalogFields() =>
        typeof(KubeResources).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType.IsGenericType && f.FieldType.GetGenericTypeDefinition() == typeof(ResourceType<>));

    private static IDescriptor Describe(string entry)
    {
        var field = typeof(KubeResources).GetField(entry)!;
        var model = field.FieldType.GetGenericArguments()[0];
        var wrapper = typeof(Wrapper<>).MakeGenericType(model);
        return (IDescriptor)Activator.CreateInstance(wrapper, field.GetValue(null))!;
    }

    // Lets the table-driven tests treat ResourceType<T> of any T alike.
    private interface IDescriptor
    {
        string ApiVersion { get; }
        string Kind { get; }
        string Plural { get; }
        bool Namespaced { get; }
        Type ModelType { get; }
        IReadOnlyList<string> ServedVersions { get; }
        System.Text.Json.Serialization.Metadata.JsonTypeInfo TypeInfo { get; }
        System.Text.Json.Serialization.Metadata.JsonTypeInfo ListTypeInfo { get; }
        JsonNode SerializeNew();
        JsonNode ReadAndSerialize(JsonNode json);
    }

    private sealed class Wrapper<T>(ResourceType<T> type) : IDescriptor where T : class, IKubernetesObject, new()
    {
        public string ApiVersion => type.ApiVersion;
        public string Kind => type.Kind;
        public string Plural => type.Plural;
        public bool Namespaced => type.Namespaced;
        public Type ModelType => typeof(T);
        public IReadOnlyList<string> ServedVersions => type.ServedVersions;
        public System.Text.Json.Serialization.Metadata.JsonTypeInfo TypeInfo => type.TypeInfo;
        public System.Text.Json.Serialization.Metadata.JsonTypeInfo ListTypeInfo => type.ListTypeInfo;
        public JsonNode SerializeNew() => Json.Node(type.Serialize(new T()));
        public JsonNode ReadAndSerialize(JsonNode json) => Json.Node(type.Serialize(type.Read(Json.Element(json.ToJsonString()))));
    }
}
