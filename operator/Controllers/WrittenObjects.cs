using System.Collections.Concurrent;
using System.Globalization;
using DataCluster.Kube;
using DataCluster.Kube.Models;

namespace DataCluster.Operator.Controllers;

/// <summary>
/// The objects this process wrote, each as the server answered the write, kept until the cache
/// shows that version or a newer one: the memory behind read-your-writes.
/// <see cref="RecordingKubeWriter"/> records every successful write here and
/// <see cref="ReadYourWritesCache{T}"/> reads through it, so a reader of a lagging cache sees its
/// own writes. Deciding on the older version would repeat the write or, worse, make one decision
/// twice (restart a drain, publish a second membership under one epoch).
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe; no I/O, never blocks. Objects are told apart by kind (group and plural: the same
/// object in another served version is the same object), namespace and name. Recorded objects
/// are handed to readers as they are: treat them as read-only, like cached ones.
/// </para>
/// <para>
/// Newer is decided by resourceVersion. resourceVersions are opaque, but every etcd-backed server
/// issues increasing integers; when either does not parse, the cache wins.
/// </para>
/// </remarks>
/// <param name="timeProvider">The clock for <see cref="Expiry"/>.</param>
public sealed class WrittenObjects(TimeProvider? timeProvider = null)
{
    /// <summary>
    /// How long a written object is kept when the cache never shows it. Five minutes, as
    /// kube-controller-manager waits for its expectations: a watch delivers within seconds, and
    /// one that has not in five minutes is broken and being relisted, so the cache is the better
    /// guess by then. It also bounds what is kept of objects deleted before the cache showed the
    /// write (a cluster deleted right after a reconcile wrote its status).
    /// </summary>
    public static readonly TimeSpan Expiry = TimeSpan.FromMinutes(5);

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly ConcurrentDictionary<string, Written> _objects = new(StringComparer.Ordinal);

    /// <summary>How many written objects the cache has not shown yet (or not been asked about since).</summary>
    public int Count => _objects.Count;

    /// <summary>
    /// Remembers <paramref name="written"/>, the object a write returned. An object already
    /// remembered under its name is replaced unless it is the newer of the two.
    /// </summary>
    public void Record<T>(ResourceType<T> type, T written)
        where T : class, IKubernetesObject
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(written);
        var now = _time.GetUtcNow();
        Sweep(now);
        var entry = new Written(written, now);
        _objects.AddOrUpdate(
            Key(type, written.Metadata.Namespace, written.Metadata.Name ?? ""),
            entry,
            (_, known) => Older(written, known.Object) ? known : entry);
    }

    /// <summary>Forgets the object (it was deleted: whatever the cache shows next is the truth).</summary>
    public void Forget<T>(ResourceType<T> type, string? @namespace, string name)
        where T : class, IKubernetesObject
    {
        ArgumentNullException.ThrowIfNull(type);
        _objects.TryRemove(Key(type, @namespace, name), out _);
    }

    /// <summary>
    /// The newer of <paramref name="cached"/> and the object this process last wrote under its
    /// name. A missing cached object wins (null): it may have been deleted since. Once the cache
    /// shows the written version or a newer one, the written one is forgotten.
    /// </summary>
    public T? Newest<T>(ResourceType<T> type, T? cached)
        where T : class, IKubernetesObject
    {
        ArgumentNullException.ThrowIfNull(type);
        if (cached is null || _objects.IsEmpty)
        {
            return cached;
        }

        var key = Key(type, cached.Metadata.Namespace, cached.Metadata.Name ?? "");
        if (!_objects.TryGetValue(key, out var written))
        {
            return cached;
        }

        if (written.Object is T ours && Older(cached, ours) && _time.GetUtcNow() - written.RecordedAt < Expiry)
        {
            return ours;
        }

        _objects.TryRemove(new KeyValuePair<string, Written>(key, written)); // the cache caught up
        return cached;
    }

    /// <summary>Whether <paramref name="a"/> is older than <paramref name="b"/>; false when either resourceVersion does not parse.</summary>
    private static bool Older(IKubernetesObject a, IKubernetesObject b) =>
        long.TryParse(a.Metadata.ResourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var left)
        && long.TryParse(b.Metadata.ResourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var right)
        && left < right;

    private void Sweep(DateTimeOffset now)
    {
        foreach (var entry in _objects)
        {
            if (now - entry.Value.RecordedAt >= Expiry)
            {
                _objects.TryRemove(entry);
            }
        }
    }

    private static string Key<T>(ResourceType<T> type, string? @namespace, string name)
        where T : class, IKubernetesObject =>
        $"{type.Plural}.{type.Group}/{(type.Namespaced ? @namespace : null)}/{name}";

    private sealed record Written(IKubernetesObject Object, DateTimeOffset RecordedAt);
}
