using System.Text.Json.Nodes;

namespace DataCluster.Kube.Conversion;

/// <summary>
/// Converts one kind between its model's shape (the newest version) and one older served
/// version. Both methods work in place on a JSON tree the caller owns, so fields neither side
/// knows pass through untouched. apiVersion and kind are stamped by the caller.
/// </summary>
/// <remarks>Implementations are stateless and thread-safe.</remarks>
public interface IVersionConverter
{
    /// <summary>The older version this converter speaks, e.g. "v1beta1".</summary>
    string Version { get; }

    /// <summary>Rewrites an object as <see cref="Version"/> serves it into the model's shape.</summary>
    void ToModel(JsonObject obj);

    /// <summary>Rewrites an object in the model's shape into the shape of <see cref="Version"/>.</summary>
    void FromModel(JsonObject obj);
}
