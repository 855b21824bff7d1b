using System.Text.Json;
using DataCluster.Contracts;
using DataCluster.Kube;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;

namespace DataCluster.Operator.Crd;

/// <summary>
/// The CustomResourceDefinition of DataCluster, generated from the API types. The committed
/// manifest in <c>crds/</c> is this object as YAML (<see cref="GenerateYaml"/>); a test fails when
/// the two differ. Only constructs a 1.20 API server accepts are used: no CEL
/// (x-kubernetes-validations), no selectable fields.
/// </summary>
public static class CrdGenerator
{
    /// <summary>Where the manifest lives, relative to the repository root.</summary>
    public const string ManifestPath = "crds/datacluster.dev_dataclusters.yaml";

    /// <summary>The categories <c>kubectl get CATEGORY</c> lists DataClusters under.</summary>
    public static readonly IReadOnlyList<string> Categories = ["datacluster"];

    private const string Header =
        "# Generated from the DataCluster API types in operator/Api by `make crds`; do not edit.\n";

    /// <summary>The CRD as a typed object, e.g. to install it in tests.</summary>
    public static CustomResourceDefinition Generate()
    {
        var schema = new JsonSchemaProps
        {
            Type = "object",
            Description = "A DataCluster runs a set of members (pods) that share a fixed number of replicated partitions: each key maps to one partition, each partition has one leader member and replicas placed across zones, and the members agree on who owns what without a peer list. The operator adds the DataCluster agent to every pod and publishes membership.",
            Properties = new Dictionary<string, JsonSchemaProps>(StringComparer.Ordinal)
            {
                ["apiVersion"] = new() { Type = "string", Description = "The versioned schema of this object: datacluster.dev/v1alpha1." },
                ["kind"] = new() { Type = "string", Description = "DataCluster." },
                ["metadata"] = new() { Type = "object" },
                ["spec"] = Section(typeof(DataClusterSpec), nameof(Api.DataCluster.Spec), withDefaults: true),
                ["status"] = Section(typeof(DataClusterStatus), nameof(Api.DataCluster.Status), withDefaults: false),
            },
        };

        return new CustomResourceDefinition
        {
            ApiVersion = KubeResources.CustomResourceDefinitions.ApiVersion,
            Kind = KubeResources.CustomResourceDefinitions.Kind,
            Metadata = new ObjectMeta { Name = $"{DataClusterApi.Plural}.{DataClusterApi.Group}" },
            Spec = new CustomResourceDefinitionSpec
            {
                Group = DataClusterApi.Group,
                Scope = "Namespaced",
                Names = new CustomResourceDefinitionNames
                {
                    Kind = DataClusterApi.Kind,
                    ListKind = DataClusterApi.Kind + "List",
                    Plural = DataClusterApi.Plural,
                    Singular = DataClusterApi.Kind.ToLowerInvariant(),
                    ShortNames = [DataClusterApi.ShortName],
                    Categories = [.. Categories],
                },
                Versions =
                [
                    new CustomResourceDefinitionVersion
                    {
                        Name = DataClusterApi.Version,
                        Served = true,
                        Storage = true,
                        Schema = new CustomResourceValidation { OpenApiV3Schema = schema },
                        Subresources = new CustomResourceSubresources { Status = new CustomResourceSubresourceStatus() },
                        AdditionalPrinterColumns = PrinterColumns(),
                    },
                ],
            },
        };
    }

    /// <summary>The manifest text: a header comment and the CRD as YAML with sorted keys.</summary>
    public static string GenerateYaml()
    {
        var json = JsonSerializer.SerializeToElement(Generate(), KubeJsonContext.Default.CustomResourceDefinition);
        return Header + YamlWriter.Write(json);
    }

    private static JsonSchemaProps Section(Type type, string property, bool withDefaults)
    {
        var schema = SchemaGenerator.ForObject(type, withDefaults);
        schema.Description = typeof(Api.DataCluster).GetProperty(property)!
            .GetCustomAttributes(typeof(DescriptionAttribute), inherit: false)
            .Cast<DescriptionAttribute>().Single().Text;
        if (withDefaults)
        {
            // An absent spec becomes {} and then gets every nested default.
            schema.Default = JsonDocument.Parse("{}").RootElement.Clone();
        }

        return schema;
    }

    private static List<CustomResourceColumnDefinition> PrinterColumns() =>
    [
        new() { Name = "Ready", Type = "string", JsonPath = ".status.conditions[?(@.type==\"Ready\")].status", Description = "Every desired member is ready and an assignment is published." },
        new() { Name = "Members", Type = "string", JsonPath = ".status.membersReady", Description = "Ready members out of spec.replicas." },
        new() { Name = "Leader", Type = "string", JsonPath = ".status.leader", Description = "The agent holding the cluster leader Lease." },
        new() { Name = "Epoch", Type = "integer", JsonPath = ".status.assignmentEpoch", Description = "Version of the published partition assignment." },
        new() { Name = "Age", Type = "date", JsonPath = ".metadata.creationTimestamp" },
    ];
}
