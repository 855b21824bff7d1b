using DataCluster.Kube.Models;

namespace DataCluster.Kube.Watch;

/// <summary>The kind of change a watch event reports.</summary>
public enum WatchEventType
{
    Added,
    Modified,
    Deleted,

    /// <summary>
    /// No change: the server says "you are up to date as of this resourceVersion". The object
    /// carries only <c>metadata.resourceVersion</c>; resume a watch from it after a reconnect.
    /// </summary>
    Bookmark,
}

/// <summary>One change seen by a watch. <see cref="Object"/> is the object after the change (for Deleted: its last state).</summary>
public sealed record WatchEvent<T>(WatchEventType Type, T Object)
    where T : class, IKubernetesObject
{
    /// <summary>The resourceVersion to resume a watch from after this event.</summary>
    public string? ResourceVersion => Object.Metadata.ResourceVersion;
}
