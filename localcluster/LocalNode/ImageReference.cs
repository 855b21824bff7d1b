namespace DataCluster.LocalCluster.LocalNode;

/// <summary>The parts of a container image reference the local node needs. Pure.</summary>
public static class ImageReference
{
    /// <summary>
    /// The reference without its tag and digest: <c>ghcr.io/datacluster/operator:0.1.0</c> and
    /// <c>ghcr.io/datacluster/operator@sha256:...</c> give <c>ghcr.io/datacluster/operator</c>.
    /// A colon before the last slash belongs to a registry port (<c>localhost:5000/agent</c>).
    /// </summary>
    public static string Repository(string image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var at = image.IndexOf('@', StringComparison.Ordinal);
        var name = at >= 0 ? image[..at] : image;
        var colon = name.LastIndexOf(':');
        return colon > name.LastIndexOf('/') ? name[..colon] : name;
    }
}
