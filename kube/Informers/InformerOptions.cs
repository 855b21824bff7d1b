using DataCluster.Kube.Watch;

namespace DataCluster.Kube.Informers;

/// <summary>What an <see cref="Informer{T}"/> lists and watches, and how it retries.</summary>
public sealed record InformerOptions
{
    /// <summary>The namespace to watch; null = all namespaces.</summary>
    public string? Namespace { get; init; }

    /// <summary>Only objects matching this label selector are listed, watched and cached.</summary>
    public string? LabelSelector { get; init; }

    /// <summary>Only objects matching this field selector are listed, watched and cached.</summary>
    public string? FieldSelector { get; init; }

    /// <summary>
    /// Page size of the (re)list. 500, as client-go: large enough that a typical namespace is
    /// one request, small enough that one page never strains the API server.
    /// </summary>
    public int PageSize { get; init; } = 500;

    public TimeSpan BackoffInitial { get; init; } = Backoff.DefaultInitial;

    public TimeSpan BackoffMax { get; init; } = Backoff.DefaultMax;

    /// <summary>
    /// Failed watch reconnects in a row after which the informer relists instead. 5 (about
    /// 15 s with the default backoff): past that the server was likely restarted, and a
    /// relist repairs anything a restart broke (a resume point the new server no longer has).
    /// </summary>
    public int MaxWatchFailuresBeforeRelist { get; init; } = 5;

    /// <summary>Server-side lifetime of each watch request; see <see cref="ResourceWatcherOptions.MinWatchTimeout"/>.</summary>
    public TimeSpan MinWatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Called on the informer's loop whenever it starts over: a watch reconnect, or a relist after
    /// the first list. For metrics (watch restarts); must be quick and must not throw.
    /// </summary>
    public Action<InformerRestart>? OnRestart { get; init; }
}

/// <summary>How an <see cref="Informer{T}"/> started over.</summary>
public enum InformerRestart
{
    /// <summary>A new watch request resuming from the last resourceVersion.</summary>
    Reconnect,

    /// <summary>A full list after the watch could not continue (410 Gone, or reconnects kept failing).</summary>
    Relist,
}
