using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using DataCluster.Kube.Models;
using DataCluster.Operator.Api;

namespace DataCluster.Operator.Crd;

/// <summary>
/// Builds the structural OpenAPI v3 schema of the API types by reflection over their properties
/// and the attributes in <c>SchemaAttributes.cs</c>. Development-time only (the <c>crds</c> make
/// target and the drift test); the operator never runs it.
/// </summary>
/// <remarks>
/// Defaults come from the property initializers of a freshly constructed object, and only where
/// <c>withDefaults</c> is set (the spec): a non-null scalar becomes its default, a non-null
/// nested object becomes <c>{}</c> so the API server fills in that object's own defaults too.
/// Every property must carry a <see cref="DescriptionAttribute"/>; a missing one is an error,
/// because users read the descriptions through <c>kubectl explain</c>.
/// </remarks>
internal static class SchemaGenerator
{
    /// <summary>The schema of an object type whose properties carry the schema attributes.</summary>
    /// <remarks>
    /// The types walked are the operator's own API types, and a trimmed publish keeps the
    /// operator's assembly whole (TrimmerRootAssembly in the project), so their constructors,
    /// properties and attributes are all there for <c>generate-crd</c> in the published binary.
    /// </remarks>
    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "The operator assembly is a trimmer root; see remarks.")]
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "The operator assembly is a trimmer root; see remarks.")]
    public static JsonSchemaProps ForObject(Type type, bool withDefaults)
    {
        var instance = withDefaults ? Activator.CreateInstance(type) : null;
        var properties = new Dictionary<string, JsonSchemaProps>(StringComparer.Ordinal);
        var required = new List<string>();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.IsDefined(typeof(JsonExtensionDataAttribute)) || property.IsDefined(typeof(JsonIgnoreAttribute)))
            {
                continue;
            }

            var name = property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name
                ?? throw new InvalidOperationException($"{type.Name}.{property.Name} has no [JsonPropertyName].");
            var description = property.GetCustomAttribute<DescriptionAttribute>()?.Text
                ?? throw new InvalidOperationException($"{type.Name}.{property.Name} has no [Description]; every API field needs one for kubectl explain.");

            var schema = ForProperty(property, withDefaults);
            schema.Description = description;
            if (withDefaults && !property.IsDefined(typeof(NoDefaultAttribute)) && DefaultOf(property.GetValue(instance)) is { } value)
            {
                schema.Default = value;
            }

            properties[name] = schema;
            if (property.IsDefined(typeof(RequiredAttribute)))
            {
                required.Add(name);
            }
        }

        return new JsonSchemaProps
        {
            Type = "object",
            Properties = properties,
            Required = required.Count > 0 ? required : null,
        };
    }

    /// <summary>A Kubernetes quantity: integer or string, strings in quantity syntax.</summary>
    public static JsonSchemaProps Quantity() => new()
    {
        AnyOf = [new JsonSchemaProps { Type = "integer" }, new JsonSchemaProps { Type = "string" }],
        Pattern = QuantityAttribute.Pattern,
        XKubernetesIntOrString = true,
    };

    /// <summary>metav1.Condition, with the constraints Kubernetes publishes for it.</summary>
    public static JsonSchemaProps Condition() => new()
    {
        Type = "object",
        Required = ["lastTransitionTime", "message", "reason", "status", "type"],
        Properties = new Dictionary<string, JsonSchemaProps>(StringComparer.Ordinal)
        {
            ["type"] = new() { Type = "string", MaxLength = 316, Description = "The aspect of the cluster the condition describes, in CamelCase." },
            ["status"] = new() { Type = "string", Enum = [Json(ConditionStatuses.True), Json(ConditionStatuses.False), Json(ConditionStatuses.Unknown)], Description = "True, False or Unknown." },
            ["observedGeneration"] = new() { Type = "integer", Format = "int64", Minimum = 0, Description = "The metadata.generation the condition was set for." },
            ["lastTransitionTime"] = new() { Type = "string", Format = "date-time", Description = "When the status last changed." },
            ["reason"] = new() { Type = "string", MinLength = 1, MaxLength = 1024, Pattern = "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$", Description = "A CamelCase word for the last transition's cause." },
            ["message"] = new() { Type = "string", MaxLength = 32768, Description = "A human-readable explanation; for Valid=False, what to fix." },
        },
    };

    private static JsonSchemaProps ForProperty(PropertyInfo property, bool withDefaults)
    {
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        JsonSchemaProps schema;
        if (property.IsDefined(typeof(PreserveUnknownFieldsAttribute)))
        {
            var opaque = new JsonSchemaProps { Type = "object", XKubernetesPreserveUnknownFields = true };
            schema = ElementType(type) is null ? opaque : new JsonSchemaProps { Type = "array", Items = opaque };
        }
        else if (property.IsDefined(typeof(QuantityAttribute)))
        {
            schema = MapValueType(type) is null
                ? Quantity()
                : new JsonSchemaProps { Type = "object", AdditionalProperties = Quantity() };
        }
        else
        {
            schema = ForType(type, withDefaults);
        }

        if (property.GetCustomAttribute<MinimumAttribute>() is { } minimum)
        {
            schema.Minimum = minimum.Value;
        }

        if (property.GetCustomAttribute<MaximumAttribute>() is { } maximum)
        {
            schema.Maximum = maximum.Value;
        }

        if (property.GetCustomAttribute<MinLengthAttribute>() is { } minLength)
        {
            schema.MinLength = minLength.Value;
        }

        if (property.GetCustomAttribute<PatternAttribute>() is { } pattern)
        {
            schema.Pattern = pattern.Expression;
        }

        if (property.GetCustomAttribute<OneOfAttribute>() is { } oneOf)
        {
            schema.Enum = [.. oneOf.Values.Select(Json)];
        }

        return schema;
    }

    private static JsonSchemaProps ForType(Type type, bool withDefaults)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return new JsonSchemaProps { Type = "string" };
        }

        if (type == typeof(int))
        {
            return new JsonSchemaProps { Type = "integer", Format = "int32" };
        }

        if (type == typeof(long))
        {
            return new JsonSchemaProps { Type = "integer", Format = "int64" };
        }

        if (type == typeof(bool))
        {
            return new JsonSchemaProps { Type = "boolean" };
        }

        if (type == typeof(DateTimeOffset))
        {
            return new JsonSchemaProps { Type = "string", Format = "date-time" };
        }

        if (type == typeof(Condition))
        {
            return Condition();
        }

        if (ElementType(type) is { } element)
        {
            var items = ForType(element, withDefaults);
            var array = new JsonSchemaProps { Type = "array", Items = items };
            if (element == typeof(Condition))
            {
                // One condition per type; lets server-side apply merge conditions by type.
                array.XKubernetesListType = "map";
                array.XKubernetesListMapKeys = ["type"];
            }

            return array;
        }

        if (MapValueType(type) is { } value)
        {
            return new JsonSchemaProps { Type = "object", AdditionalProperties = ForType(value, withDefaults) };
        }

        if (type.IsClass && type.Namespace == typeof(DataClusterSpec).Namespace)
        {
            return ForObject(type, withDefaults);
        }

        throw new InvalidOperationException($"The schema generator does not know how to describe {type.FullName}; describe it with an attribute such as [PreserveUnknownFields].");
    }

    private static Type? ElementType(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>) ? type.GetGenericArguments()[0] : null;

    private static Type? MapValueType(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>) && type.GetGenericArguments()[0] == typeof(string)
            ? type.GetGenericArguments()[1]
            : null;

    private static JsonElement? DefaultOf(object? value) => value switch
    {
        null => null,
        int number => JsonDocument.Parse(number.ToString(System.Globalization.CultureInfo.InvariantCulture)).RootElement.Clone(),
        long number => JsonDocument.Parse(number.ToString(System.Globalization.CultureInfo.InvariantCulture)).RootElement.Clone(),
        bool flag => JsonDocument.Parse(flag ? "true" : "false").RootElement.Clone(),
        string text => Json(text),
        // Lists and maps have no default: absent means empty.
        System.Collections.IEnumerable => null,
        _ when value.GetType().Namespace == typeof(DataClusterSpec).Namespace => JsonDocument.Parse("{}").RootElement.Clone(),
        _ => null,
    };

    private static JsonElement Json(string text)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStringValue(text);
        }

        return JsonDocument.Parse(buffer.ToArray()).RootElement.Clone();
    }
}
