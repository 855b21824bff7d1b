namespace DataCluster.Kube.Client;

/// <summary>Query of a list call. All fields are optional.</summary>
public sealed record ListOptions
{
    /// <summary>A label selector, e.g. "app=web,tier in (a,b),!legacy".</summary>
    public string? LabelSelector { get; init; }

    /// <summary>A field selector, e.g. "metadata.name=x" or "spec.nodeName=n1".</summary>
    public string? FieldSelector { get; init; }

    /// <summary>At most this many items per page; the rest is fetched with <see cref="Continue"/>.</summary>
    public int? Limit { get; init; }

    /// <summary>The continue token of the previous page.</summary>
    public string? Continue { get; init; }

    /// <summary>
    /// "0" lets the server answer from its watch cache (cheap, possibly slightly stale); null
    /// asks for the latest data from etcd.
    /// </summary>
    public string? ResourceVersion { get; init; }
}
