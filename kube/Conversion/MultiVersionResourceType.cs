using System.Text.Json.Serialization.Metadata;
using DataCluster.Kube.Models;

namespace DataCluster.Kube.Conversion;

/// <summary>
/// A kind modelled in its newest version that can also be exchanged in older versions through
/// converters. It behaves exactly like <see cref="ResourceType{T}"/> for its own version;
/// <see cref="WithVersion"/> returns a <see cref="ConvertedResourceType{T}"/> for an older one.
/// </summary>
public sealed class MultiVersionResourceType<T> : ResourceType<T> where T : class, IKubernetesObject
{
    private readonly Dictionary<string, ConvertedResourceType<T>> _older;

    public MultiVersionResourceType(
        string group,
        string version,
        string kind,
        string plural,
        bool namespaced,
        JsonTypeInfo<T> typeInfo,
        JsonTypeInfo<KubeList<T>> listTypeInfo,
        params IVersionConverter[] converters)
        : base(group, version, kind, plural, namespaced, typeInfo, listTypeInfo, [version, .. converters.Select(c => c.Version)])
    {
        _older = converters.ToDictionary(c => c.Version, c => new ConvertedResourceType<T>(this, c), StringComparer.Ordinal);
    }

    public override ResourceType<T> WithVersion(string version) =>
        _older.TryGetValue(version, out var older) ? older : base.WithVersion(version);
}
