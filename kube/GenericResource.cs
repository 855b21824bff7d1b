using DataCluster.Kube.Models;

namespace DataCluster.Kube;

/// <summary>Descriptors for kinds without a typed model.</summary>
public static class GenericResource
{
    /// <summary>
    /// A descriptor whose objects are <see cref="GenericObject"/>s, e.g.
    /// <c>GenericResource.For("datacluster.dev", "v1alpha1", "DataCluster", "dataclusters", namespaced: true)</c>.
    /// </summary>
    public static ResourceType<GenericObject> For(string group, string version, string kind, string plural, bool namespaced)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentException.ThrowIfNullOrEmpty(version);
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentException.ThrowIfNullOrEmpty(plural);
        var json = KubeJsonContext.Default;
        return new ResourceType<GenericObject>(group, version, kind, plural, namespaced, json.GenericObject, json.KubeListGenericObject);
    }
}
