using System.Text.Json;
using DataCluster.Kube.Models;
using Xunit;

namespace DataCluster.Kube.Tests.Models;

/// <summary>CRDs and their recursive OpenAPI schemas.</summary>
public sealed class CustomResourceDefinitionTests
{
    private const string Crd = """
    {
      "apiVersion": "apiextensions.k8s.io/v1",
      "kind": "CustomResourceDefinition",
      "metadata": { "name": "widgets.example.dev", "resourceVersion": "900", "generation": 1, "creationTimestamp": "2024-03-01T09:00:00Z" },
      "spec": {
        "group": "example.dev",
        "names": { "plural": "widgets", "singular": "widget", "shortNames": ["wd"], "kind": "Widget", "listKind": "WidgetList", "categories": ["all"] },
        "scope": "Namespaced",
        "versions": [
          {
            "name": "v1alpha1",
            "served": true,
            "storage": true,
            "deprecated": true,
            "deprecationWarning": "example.dev/v1alpha1 Widget is deprecated",
            "schema": {
              "openAPIV3Schema": {
                "type": "object",
                "description": "A widget.",
                "properties": {
                  "apiVersion": { "type": "string" },
                  "kind": { "type": "string" },
                  "metadata": { "type": "object" },
                  "spec": {
                    "type": "object",
                    "required": ["size"],
                    "x-kubernetes-validations": [
                      { "rule": "self.size <= 10 || self.mode == 'big'", "message": "size above 10 needs mode big", "reason": "FieldValueInvalid", "fieldPath": ".size" },
                      { "rule": "self.mode == oldSelf.mode", "messageExpression": "'mode is immutable'", "optionalOldSelf": true }
                    ],
                    "properties": {
                      "size": { "type": "integer", "format": "int32", "minimum": 1, "maximum": 100, "exclusiveMaximum": true, "default": 3 },
                      "ratio": { "type": "number", "minimum": 0.5, "multipleOf": 0.25 },
                      "mode": { "type": "string", "enum": ["small", "big"], "default": "small", "pattern": "^[a-z]+$", "minLength": 3, "maxLength": 8 },
                      "port": { "x-kubernetes-int-or-string": true, "anyOf": [ { "type": "integer" }, { "type": "string" } ] },
                      "labels": { "type": "object", "additionalProperties": { "type": "string" }, "x-kubernetes-map-type": "granular", "maxProperties": 16 },
                      "options": { "type": "object", "additionalProperties": true, "minProperties": 1 },
                      "strict": { "type": "object", "additionalProperties": false, "properties": { "a": { "type": "boolean", "nullable": true } } },
                      "template": { "type": "object", "x-kubernetes-embedded-resource": true, "x-kubernetes-preserve-unknown-fields": true },
                      "ports": {
                        "type": "array",
                        "minItems": 1,
                        "maxItems": 4,
                        "x-kubernetes-list-type": "map",
                        "x-kubernetes-list-map-keys": ["name", "protocol"],
                        "items": { "type": "object", "required": ["name"], "properties": { "name": { "type": "string" }, "protocol": { "type": "string", "default": "TCP" } } }
                      },
                      "tags": { "type": "array", "uniqueItems": true, "x-kubernetes-list-type": "set", "items": { "type": "string" } },
                      "choice": { "type": "object", "oneOf": [ { "required": ["a"] }, { "required": ["b"] } ], "not": { "required": ["c"] }, "allOf": [ { "properties": { "a": { "type": "string" } } } ] },
                      "defaults": { "type": "object", "default": { "replicas": 1, "nested": { "on": true } } }
                    }
                  },
                  "status": { "type": "object", "x-kubernetes-preserve-unknown-fields": true }
                }
              }
            },
            "subresources": {
              "status": {},
              "scale": { "specReplicasPath": ".spec.size", "statusReplicasPath": ".status.size", "labelSelectorPath": ".status.selector" }
            },
            "additionalPrinterColumns": [
              { "name": "Size", "type": "integer", "jsonPath": ".spec.size" },
              { "name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp" },
              { "name": "Mode", "type": "string", "priority": 1, "description": "how big", "jsonPath": ".spec.mode" }
            ]
          }
        ],
        "conversion": { "strategy": "None" }
      },
      "status": {
        "conditions": [
          { "type": "NamesAccepted", "status": "True", "lastTransitionTime": "2024-03-01T09:00:00Z", "reason": "NoConflicts", "message": "no conflicts found" },
          { "type": "Established", "status": "True", "lastTransitionTime": "2024-03-01T09:00:00Z", "reason": "InitialNamesAccepted", "message": "the initial names have been accepted" }
        ],
        "acceptedNames": { "plural": "widgets", "singular": "widget", "shortNames": ["wd"], "kind": "Widget", "listKind": "WidgetList", "categories": ["all"] },
        "storedVersions": ["v1alpha1"]
      }
    }
    """;

    [Fact]
    public void Server_crd_writes_back_unchanged()
    {
        var crd = Json.Read(KubeResources.CustomResourceDefinitions, Crd);

        Json.Equal(Json.Node(Crd), Json.Write(KubeResources.CustomResourceDefinitions, crd));
    }

    [Fact]
    public void Crd_exposes_names_versions_subresources_columns_and_status()
    {
        var crd = Json.Read(KubeResources.CustomResourceDefinitions, Crd);

        Assert.Equal("example.dev", crd.Spec.Group);
        Assert.Equal(["wd"], crd.Spec.Names.ShortNames!);
        Assert.Equal(["all"], crd.Spec.Names.Categories!);
        Assert.Equal("WidgetList", crd.Spec.Names.ListKind);
        var version = Assert.Single(crd.Spec.Versions);
        Assert.True(version.Served);
        Assert.True(version.Storage);
        Assert.True(version.Deprecated);
        Assert.NotNull(version.Subresources!.Status);
        Assert.Equal(".spec.size", version.Subresources.Scale!.SpecReplicasPath);
        Assert.Equal(1, version.AdditionalPrinterColumns![2].Priority);
        Assert.Contains(crd.Status!.Conditions!, c => c is { Type: "Established", Status: "True" });
        Assert.Equal("Widget", crd.Status.AcceptedNames!.Kind);
        Assert.Equal(["v1alpha1"], crd.Status.StoredVersions!);
    }

    [Fact]
    public void Schema_reads_recursively_with_every_keyword()
    {
        var root = Json.Read(KubeResources.CustomResourceDefinitions, Crd).Spec.Versions[0].Schema!.OpenApiV3Schema!;
        var spec = root.Properties!["spec"];
        var p = spec.Properties!;

        Assert.Equal(["size"], spec.Required!);
        Assert.Equal("self.size <= 10 || self.mode == 'big'", spec.XKubernetesValidations![0].Rule);
        Assert.Equal(".size", spec.XKubernetesValidations[0].FieldPath);
        Assert.True(spec.XKubernetesValidations[1].OptionalOldSelf);

        Assert.Equal(("integer", "int32", 1d, 100d, true), (p["size"].Type, p["size"].Format, p["size"].Minimum, p["size"].Maximum, p["size"].ExclusiveMaximum));
        Assert.Equal(3, p["size"].Default!.Value.GetInt32());
        Assert.Equal(0.25, p["ratio"].MultipleOf);
        Assert.Equal(["small", "big"], p["mode"].Enum!.Select(e => e.GetString()));
        Assert.Equal(("^[a-z]+$", 3L, 8L), (p["mode"].Pattern, p["mode"].MinLength, p["mode"].MaxLength));
        Assert.True(p["port"].XKubernetesIntOrString);
        Assert.Equal(2, p["port"].AnyOf!.Count);
        Assert.True(p["template"].XKubernetesEmbeddedResource);
        Assert.True(p["template"].XKubernetesPreserveUnknownFields);
        Assert.Equal("granular", p["labels"].XKubernetesMapType);
        Assert.Equal(16, p["labels"].MaxProperties);
        Assert.Equal("map", p["ports"].XKubernetesListType);
        Assert.Equal(["name", "protocol"], p["ports"].XKubernetesListMapKeys!);
        Assert.Equal((1L, 4L), (p["ports"].MinItems, p["ports"].MaxItems));
        Assert.Equal("TCP", p["ports"].Items!.Properties!["protocol"].Default!.Value.GetString());
        Assert.True(p["tags"].UniqueItems);
        Assert.Equal(2, p["choice"].OneOf!.Count);
        Assert.Equal(["c"], p["choice"].Not!.Required!);
        Assert.Equal("string", p["choice"].AllOf![0].Properties!["a"].Type);
        Assert.True(p["strict"].Properties!["a"].Nullable);
        Assert.Equal(JsonValueKind.Object, p["defaults"].Default!.Value.ValueKind);
    }

    public static TheoryData<string, bool, string?> AdditionalPropertiesForms => new()
    {
        { "true", true, null },
        { "false", false, null },
        { """{"type":"string"}""", true, "string" },
        { """{"type":"object","properties":{"x":{"type":"integer"}},"additionalProperties":false}""", true, "object" },
    };

    [Theory]
    [MemberData(nameof(AdditionalPropertiesForms))]
    public void AdditionalProperties_is_a_boolean_or_a_schema(string wire, bool allows, string? schemaType)
    {
        var json = $$"""{"type":"object","additionalProperties":{{wire}}}""";

        var schema = JsonSerializer.Deserialize(json, KubeJsonContext.Default.JsonSchemaProps)!;

        Assert.Equal(allows, schema.AdditionalProperties!.Allows);
        Assert.Equal(schemaType, schema.AdditionalProperties.Schema?.Type);
        Json.Equal(Json.Node(json), JsonSerializer.SerializeToNode(schema, KubeJsonContext.Default.JsonSchemaProps));
    }

    [Fact]
    public void Schema_built_in_code_serializes_to_the_expected_json()
    {
        var schema = new JsonSchemaProps
        {
            Type = "object",
            Properties = new()
            {
                ["replicas"] = new() { Type = "integer", Minimum = 1, Default = JsonSerializer.SerializeToElement(3, KubeJsonContext.Default.Int32) },
                ["labels"] = new() { Type = "object", AdditionalProperties = new JsonSchemaProps { Type = "string" } },
                ["extra"] = new() { Type = "object", AdditionalProperties = true },
                ["closed"] = new() { Type = "object", AdditionalProperties = false },
                ["resources"] = new() { Type = "object", XKubernetesPreserveUnknownFields = true },
            },
            Required = ["replicas"],
        };

        Json.Equal(
            Json.Node("""
            {
              "type": "object",
              "properties": {
                "replicas": { "type": "integer", "default": 3, "minimum": 1 },
                "labels": { "type": "object", "additionalProperties": { "type": "string" } },
                "extra": { "type": "object", "additionalProperties": true },
                "closed": { "type": "object", "additionalProperties": false },
                "resources": { "type": "object", "x-kubernetes-preserve-unknown-fields": true }
              },
              "required": ["replicas"]
            }
            """),
            JsonSerializer.SerializeToNode(schema, KubeJsonContext.Default.JsonSchemaProps));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("\"yes\"")]
    [InlineData("[]")]
    public void AdditionalProperties_rejects_other_json(string wire)
    {
        Assert.Throws<JsonException>(() =>
            JsonSerializer.Deserialize($$"""{"additionalProperties":{{wire}}}""", KubeJsonContext.Default.JsonSchemaProps));
    }
}
