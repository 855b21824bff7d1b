using System.Text.Json;
using System.Text.Json.Nodes;
using DataCluster.Kube.Models;

namespace DataCluster.Kube.Conversion;

/// <summary>
/// A kind bound to an older served version: requests go to that version's paths, and
/// <see cref="Read"/>, <see cref="ReadList"/> and <see cref="Write"/> convert between the wire
/// shape and the model, so callers only ever see the model.
/// </summary>
/// <remarks>
/// Conversion works on a JSON copy of the object: a write never changes the caller's object,
/// and fields the model does not know survive in both directions. Objects read through this
/// type carry the model's apiVersion, because that is the shape they now have; writes carry
/// this version's. Use <see cref="Read"/>/<see cref="Write"/>, not <see cref="ResourceType{T}.TypeInfo"/>
/// directly, or the conversion is skipped.
/// </remarks>
public sealed class ConvertedResourceType<T> : ResourceType<T> where T : class, IKubernetesObject
{
    private readonly ResourceType<T> _model;
    private readonly IVersionConverter _converter;

    internal ConvertedResourceType(ResourceType<T> model, IVersionConverter converter)
        : base(model.Group, converter.Version, model.Kind, model.Plural, model.Namespaced, model.TypeInfo, model.ListTypeInfo, model.ServedVersions)
    {
        _model = model;
        _converter = converter;
    }

    /// <summary>The descriptor of the model's own version.</summary>
    public ResourceType<T> Model => _model;

    public override ResourceType<T> WithVersion(string version) => _model.WithVersion(version);

    public override T Read(JsonElement element)
    {
        var obj = AsObject(element, Kind);
        ToModel(obj);
        return obj.Deserialize(TypeInfo) ?? throw new JsonException($"The server sent null for a {Kind}.");
    }

    public override KubeList<T> ReadList(JsonElement element)
    {
        var list = AsObject(element, $"{Kind} list");
        if (list["items"] is JsonArray items)
        {
            foreach (var item in items)
            {
                if (item is JsonObject obj)
                {
                    ToModel(obj);
                }
            }
        }

        return list.Deserialize(ListTypeInfo) ?? throw new JsonException($"The server sent null for a {Kind} list.");
    }

    public override void Write(Utf8JsonWriter writer, T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var body = JsonSerializer.SerializeToNode(value, TypeInfo)?.AsObject()
            ?? throw new JsonException($"A {Kind} serialized to null.");
        _converter.FromModel(body);

        // apiVersion and kind first, as the server writes them, then everything else in order.
        var output = new JsonObject { ["apiVersion"] = ApiVersion, ["kind"] = Kind };
        var fields = body.ToList();
        body.Clear();
        foreach (var (name, node) in fields)
        {
            if (name is not ("apiVersion" or "kind"))
            {
                output[name] = node;
            }
        }

        output.WriteTo(writer);
    }

    private void ToModel(JsonObject obj)
    {
        _converter.ToModel(obj);

        // Items of a list usually omit apiVersion; only rewrite it where the server sent one.
        if (obj.ContainsKey("apiVersion"))
        {
            obj["apiVersion"] = _model.ApiVersion;
        }
    }

    private static JsonObject AsObject(JsonElement element, string what)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException($"Expected a {what} object, got {element.ValueKind}.");
        }

        // A private, mutable copy: the caller's document is never changed.
        return JsonObject.Create(element)!;
    }
}
