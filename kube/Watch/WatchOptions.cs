namespace DataCluster.Kube.Watch;

/// <summary>Query of one watch request.</summary>
public sealed record WatchOptions
{
    /// <summary>
    /// Start after this resourceVersion (from a list or an earlier event). Null or "0" starts
    /// with synthetic ADDED events for every existing object.
    /// </summary>
    public string? ResourceVersion { get; init; }

    public string? LabelSelector { get; init; }

    public string? FieldSelector { get; init; }

    /// <summary>Ask for BOOKMARK events, which keep the resume point fresh while nothing we watch changes.</summary>
    public bool AllowBookmarks { get; init; } = true;

    /// <summary>
    /// The server closes the stream after this many seconds; null = the server's default (a
    /// random 30-60 minutes on kube-apiserver). The client also gives up on a stream that stays
    /// silent this long plus a grace period, so a half-open connection cannot hang a watch.
    /// </summary>
    public int? TimeoutSeconds { get; init; }
}
