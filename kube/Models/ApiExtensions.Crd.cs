using System.Text.Json.Serialization;

namespace DataCluster.Kube.Models;

/// <summary>apiextensions.k8s.io/v1 CustomResourceDefinition (cluster-scoped; name is PLURAL.GROUP).</summary>
public sealed class CustomResourceDefinition : KubeObject
{
    [JsonPropertyName("spec")] public CustomResourceDefinitionSpec Spec { get; set; } = new();
    [JsonPropertyName("status")] public CustomResourceDefinitionStatus? Status { get; set; }
}

public sealed class CustomResourceDefinitionSpec : KubeModel
{
    [JsonPropertyName("group")] public string Group { get; set; } = "";
    [JsonPropertyName("names")] public CustomResourceDefinitionNames Names { get; set; } = new();
    /// <summary>Namespaced or Cluster.</summary>
    [JsonPropertyName("scope")] public string Scope { get; set; } = "Namespaced";
    /// <summary>Exactly one version has <see cref="CustomResourceDefinitionVersion.Storage"/> true.</summary>
    [JsonPropertyName("versions")] public List<CustomResourceDefinitionVersion> Versions { get; set; } = [];
    [JsonPropertyName("conversion")] public CustomResourceConversion? Conversion { get; set; }
    /// <summary>Must be false (or absent) in v1; pruning is controlled per schema node instead.</summary>
    [JsonPropertyName("preserveUnknownFields")] public bool? PreserveUnknownFields { get; set; }
}

/// <summary>apiextensions.k8s.io/v1 CustomResourceDefinitionNames; also the status' acceptedNames.</summary>
public sealed class CustomResourceDefinitionNames : KubeModel
{
    [JsonPropertyName("plural")] public string Plural { get; set; } = "";
    [JsonPropertyName("singular")] public string? Singular { get; set; }
    [JsonPropertyName("shortNames")] public List<string>? ShortNames { get; set; }
    [JsonPropertyName("kind")] public string Kind { get; set; } = "";
    /// <summary>Defaults to KIND + "List".</summary>
    [JsonPropertyName("listKind")] public string? ListKind { get; set; }
    /// <summary>Groups the resource belongs to for <c>kubectl get CATEGORY</c>, e.g. "all".</summary>
    [JsonPropertyName("categories")] public List<string>? Categories { get; set; }
}

public sealed class CustomResourceDefinitionVersion : KubeModel
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("served")] public bool Served { get; set; }
    [JsonPropertyName("storage")] public bool Storage { get; set; }
    [JsonPropertyName("deprecated")] public bool? Deprecated { get; set; }
    [JsonPropertyName("deprecationWarning")] public string? DeprecationWarning { get; set; }
    [JsonPropertyName("schema")] public CustomResourceValidation? Schema { get; set; }
    [JsonPropertyName("subresources")] public CustomResourceSubresources? Subresources { get; set; }
    [JsonPropertyName("additionalPrinterColumns")] public List<CustomResourceColumnDefinition>? AdditionalPrinterColumns { get; set; }
    [JsonPropertyName("selectableFields")] public List<SelectableField>? SelectableFields { get; set; }
}

public sealed class CustomResourceValidation : KubeModel
{
    [JsonPropertyName("openAPIV3Schema")] public JsonSchemaProps? OpenApiV3Schema { get; set; }
}

/// <summary>Subresources of a custom resource. Presence turns one on: <c>"status": {}</c> enables /status.</summary>
public sealed class CustomResourceSubresources : KubeModel
{
    [JsonPropertyName("status")] public CustomResourceSubresourceStatus? Status { get; set; }
    [JsonPropertyName("scale")] public CustomResourceSubresourceScale? Scale { get; set; }
}

/// <summary>Has no fields: an empty object enables the status subresource.</summary>
public sealed class CustomResourceSubresourceStatus : KubeModel
{
}

/// <summary>The scale subresource: JSON paths (".spec.replicas") the /scale endpoint maps onto.</summary>
public sealed class CustomResourceSubresourceScale : KubeModel
{
    [JsonPropertyName("specReplicasPath")] public string SpecReplicasPath { get; set; } = "";
    [JsonPropertyName("statusReplicasPath")] public string StatusReplicasPath { get; set; } = "";
    [JsonPropertyName("labelSelectorPath")] public string? LabelSelectorPath { get; set; }
}

/// <summary>A <c>kubectl get</c> column. Type is integer, number, string, boolean or date.</summary>
public sealed class CustomResourceColumnDefinition : KubeModel
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("type")] public string Type { get; set; } = "string";
    [JsonPropertyName("format")] public string? Format { get; set; }
    [JsonPropertyName("description")] public string? Description { get; set; }
    /// <summary>0 shows in the default view; higher only with <c>-o wide</c>.</summary>
    [JsonPropertyName("priority")] public int? Priority { get; set; }
    /// <summary>A simple JSONPath without braces, e.g. ".status.readyMembers".</summary>
    [JsonPropertyName("jsonPath")] public string JsonPath { get; set; } = "";
}

/// <summary>A field usable in field selectors (1.30+).</summary>
public sealed class SelectableField : KubeModel
{
    [JsonPropertyName("jsonPath")] public string JsonPath { get; set; } = "";
}

/// <summary>How the server converts between versions: None (only apiVersion changes) or Webhook.</summary>
public sealed class CustomResourceConversion : KubeModel
{
    [JsonPropertyName("strategy")] public string Strategy { get; set; } = "None";
    [JsonPropertyName("webhook")] public WebhookConversion? Webhook { get; set; }
}

public sealed class WebhookConversion : KubeModel
{
    [JsonPropertyName("clientConfig")] public WebhookClientConfig? ClientConfig { get; set; }
    [JsonPropertyName("conversionReviewVersions")] public List<string> ConversionReviewVersions { get; set; } = [];
}

/// <summary>Either <see cref="Url"/> or <see cref="Service"/>. <see cref="CaBundle"/> is PEM bytes, base64 on the wire.</summary>
public sealed class WebhookClientConfig : KubeModel
{
    [JsonPropertyName("url")] public string? Url { get; set; }
    [JsonPropertyName("service")] public ServiceReference? Service { get; set; }
    [JsonPropertyName("caBundle")] public byte[]? CaBundle { get; set; }
}

public sealed class ServiceReference : KubeModel
{
    [JsonPropertyName("namespace")] public string Namespace { get; set; } = "";
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("path")] public string? Path { get; set; }
    [JsonPropertyName("port")] public int? Port { get; set; }
}

/// <summary>
/// CRD status. Established=True means the names were accepted and the resource is served;
/// NamesAccepted=False names a conflict. Conditions have the fields of <see cref="Condition"/>
/// except observedGeneration.
/// </summary>
public sealed class CustomResourceDefinitionStatus : KubeModel
{
    [JsonPropertyName("conditions")] public List<Condition>? Conditions { get; set; }
    [JsonPropertyName("acceptedNames")] public CustomResourceDefinitionNames? AcceptedNames { get; set; }
    /// <summary>Every version objects were ever stored in; remove one only after migrating the objects.</summary>
    [JsonPropertyName("storedVersions")] public List<string>? StoredVersions { get; set; }
}
