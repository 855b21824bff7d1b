using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace DataCluster.Kube.Models;

/// <summary>
/// apiextensions.k8s.io/v1 JSONSchemaProps: one node of a CRD's structural OpenAPI v3 schema,
/// recursive through properties, items, additionalProperties and the combinators.
/// </summary>
/// <remarks>
/// v1 CRDs require structural schemas, in which <see cref="Items"/> is always a single schema
/// (never the array form of JSON Schema draft 4), so it is modelled as one. Values that can be
/// any JSON (<see cref="Default"/>, <see cref="Enum"/>, <see cref="Example"/>) stay
/// <see cref="JsonElement"/>s so numbers, objects and strings survive unchanged.
/// </remarks>
public sealed class JsonSchemaProps : KubeModel
{
    [JsonPropertyName("id")] public string? Id { get; set; }
    [JsonPropertyName("$schema")] public string? Schema { get; set; }
    [JsonPropertyName("$ref")] public string? Ref { get; set; }
    [JsonPropertyName("title")] public string? Title { get; set; }
    [JsonPropertyName("description")] public string? Description { get; set; }
    /// <summary>object, array, string, integer, number or boolean.</summary>
    [JsonPropertyName("type")] public string? Type { get; set; }
    /// <summary>int32, int64, date-time, byte, ...; the server validates the formats it knows.</summary>
    [JsonPropertyName("format")] public string? Format { get; set; }
    [JsonPropertyName("default")] public JsonElement? Default { get; set; }
    [JsonPropertyName("example")] public JsonElement? Example { get; set; }
    [JsonPropertyName("enum")] public List<JsonElement>? Enum { get; set; }
    [JsonPropertyName("nullable")] public bool? Nullable { get; set; }

    [JsonPropertyName("maximum")] public double? Maximum { get; set; }
    /// <summary>Draft 4 style: a flag that makes <see cref="Maximum"/> exclusive, not a number.</summary>
    [JsonPropertyName("exclusiveMaximum")] public bool? ExclusiveMaximum { get; set; }
    [JsonPropertyName("minimum")] public double? Minimum { get; set; }
    [JsonPropertyName("exclusiveMinimum")] public bool? ExclusiveMinimum { get; set; }
    [JsonPropertyName("multipleOf")] public double? MultipleOf { get; set; }

    [JsonPropertyName("maxLength")] public long? MaxLength { get; set; }
    [JsonPropertyName("minLength")] public long? MinLength { get; set; }
    [JsonPropertyName("pattern")] public string? Pattern { get; set; }

    [JsonPropertyName("items")] public JsonSchemaProps? Items { get; set; }
    [JsonPropertyName("maxItems")] public long? MaxItems { get; set; }
    [JsonPropertyName("minItems")] public long? MinItems { get; set; }
    [JsonPropertyName("uniqueItems")] public bool? UniqueItems { get; set; }

    [JsonPropertyName("properties")] public Dictionary<string, JsonSchemaProps>? Properties { get; set; }
    [JsonPropertyName("required")] public List<string>? Required { get; set; }
    /// <summary><c>true</c>, <c>false</c> or the schema of every value of a map.</summary>
    [JsonPropertyName("additionalProperties")] public JsonSchemaPropsOrBool? AdditionalProperties { get; set; }
    [JsonPropertyName("patternProperties")] public Dictionary<string, JsonSchemaProps>? PatternProperties { get; set; }
    [JsonPropertyName("maxProperties")] public long? MaxProperties { get; set; }
    [JsonPropertyName("minProperties")] public long? MinProperties { get; set; }
    /// <summary>Property name to a schema or to a list of property names; kept as sent.</summary>
    [JsonPropertyName("dependencies")] public Dictionary<string, JsonElement>? Dependencies { get; set; }
    [JsonPropertyName("definitions")] public Dictionary<string, JsonSchemaProps>? Definitions { get; set; }

    [JsonPropertyName("allOf")] public List<JsonSchemaProps>? AllOf { get; set; }
    [JsonPropertyName("oneOf")] public List<JsonSchemaProps>? OneOf { get; set; }
    [JsonPropertyName("anyOf")] public List<JsonSchemaProps>? AnyOf { get; set; }
    [JsonPropertyName("not")] public JsonSchemaProps? Not { get; set; }

    [JsonPropertyName("externalDocs")] public ExternalDocumentation? ExternalDocs { get; set; }

    /// <summary>Keep fields the schema does not declare instead of pruning them.</summary>
    [JsonPropertyName("x-kubernetes-preserve-unknown-fields")] public bool? XKubernetesPreserveUnknownFields { get; set; }
    /// <summary>The node is a whole object with apiVersion, kind and metadata (validated as such).</summary>
    [JsonPropertyName("x-kubernetes-embedded-resource")] public bool? XKubernetesEmbeddedResource { get; set; }
    /// <summary>Accepts an integer or a string (ports, quantities, percentages); the node has no type.</summary>
    [JsonPropertyName("x-kubernetes-int-or-string")] public bool? XKubernetesIntOrString { get; set; }
    /// <summary>atomic, set or map: how server-side apply merges the list.</summary>
    [JsonPropertyName("x-kubernetes-list-type")] public string? XKubernetesListType { get; set; }
    /// <summary>The keys that identify an item of a list of type map.</summary>
    [JsonPropertyName("x-kubernetes-list-map-keys")] public List<string>? XKubernetesListMapKeys { get; set; }
    /// <summary>granular or atomic: how server-side apply merges the map.</summary>
    [JsonPropertyName("x-kubernetes-map-type")] public string? XKubernetesMapType { get; set; }
    /// <summary>CEL validation rules (1.25+ by default).</summary>
    [JsonPropertyName("x-kubernetes-validations")] public List<ValidationRule>? XKubernetesValidations { get; set; }
}

public sealed class ExternalDocumentation : KubeModel
{
    [JsonPropertyName("description")] public string? Description { get; set; }
    [JsonPropertyName("url")] public string? Url { get; set; }
}

/// <summary>
/// One CEL rule of x-kubernetes-validations, e.g. <c>self.replicas &gt;= oldSelf.replicas</c>.
/// Reason is FieldValueInvalid, FieldValueForbidden, FieldValueRequired or FieldValueDuplicate.
/// </summary>
public sealed class ValidationRule : KubeModel
{
    [JsonPropertyName("rule")] public string Rule { get; set; } = "";
    [JsonPropertyName("message")] public string? Message { get; set; }
    [JsonPropertyName("messageExpression")] public string? MessageExpression { get; set; }
    [JsonPropertyName("reason")] public string? Reason { get; set; }
    [JsonPropertyName("fieldPath")] public string? FieldPath { get; set; }
    /// <summary>Also run the rule on create, with oldSelf unset (1.29+).</summary>
    [JsonPropertyName("optionalOldSelf")] public bool? OptionalOldSelf { get; set; }
}

/// <summary>
/// A JSON Schema slot that holds either a boolean or a schema (additionalProperties). On the wire
/// it is <c>true</c>, <c>false</c> or an object; a schema implies "allowed".
/// </summary>
[JsonConverter(typeof(JsonSchemaPropsOrBoolConverter))]
public sealed class JsonSchemaPropsOrBool
{
    private JsonSchemaPropsOrBool(bool allows, JsonSchemaProps? schema)
    {
        Allows = allows;
        Schema = schema;
    }

    /// <summary>Any additional property is allowed (with any value).</summary>
    public static JsonSchemaPropsOrBool True { get; } = new(true, null);

    /// <summary>No additional property is allowed.</summary>
    public static JsonSchemaPropsOrBool False { get; } = new(false, null);

    public bool Allows { get; }

    /// <summary>The schema every additional value must match; null when the wire form is a boolean.</summary>
    public JsonSchemaProps? Schema { get; }

    public static JsonSchemaPropsOrBool FromSchema(JsonSchemaProps schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return new JsonSchemaPropsOrBool(true, schema);
    }

    public static implicit operator JsonSchemaPropsOrBool(bool allows) => allows ? True : False;

    public static implicit operator JsonSchemaPropsOrBool(JsonSchemaProps schema) => FromSchema(schema);
}

/// <summary>Reads and writes <see cref="JsonSchemaPropsOrBool"/> as a JSON boolean or a schema object.</summary>
public sealed class JsonSchemaPropsOrBoolConverter : JsonConverter<JsonSchemaPropsOrBool>
{
    public override JsonSchemaPropsOrBool? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.True:
                return JsonSchemaPropsOrBool.True;
            case JsonTokenType.False:
                return JsonSchemaPropsOrBool.False;
            case JsonTokenType.StartObject:
                var schema = JsonSerializer.Deserialize(ref reader, SchemaTypeInfo(options))
                    ?? throw new JsonException("Expected a schema object.");
                return JsonSchemaPropsOrBool.FromSchema(schema);
            default:
                throw new JsonException($"Expected a boolean or a schema object, got {reader.TokenType}.");
        }
    }

    public override void Write(Utf8JsonWriter writer, JsonSchemaPropsOrBool value, JsonSerializerOptions options)
    {
        if (value.Schema is null)
        {
            writer.WriteBooleanValue(value.Allows);
        }
        else
        {
            JsonSerializer.Serialize(writer, value.Schema, SchemaTypeInfo(options));
        }
    }

    // The schema's metadata comes from the same source-generated context as the caller's, so no
    // reflection is involved.
    private static JsonTypeInfo<JsonSchemaProps> SchemaTypeInfo(JsonSerializerOptions options) =>
        (JsonTypeInfo<JsonSchemaProps>)options.GetTypeInfo(typeof(JsonSchemaProps));
}
