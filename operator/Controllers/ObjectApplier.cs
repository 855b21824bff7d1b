using System.Collections.Concurrent;
using System.Text.Json;
using DataCluster.Kube;
using DataCluster.Kube.Client;
using DataCluster.Kube.Models;

namespace DataCluster.Operator.Controllers;

/// <summary>What <see cref="ObjectApplier.EnsureAsync"/> did.</summary>
public enum EnsureResult
{
    /// <summary>The live object already matched; nothing was written.</summary>
    Unchanged,

    /// <summary>The object was created or updated by server-side apply.</summary>
    Applied,

    /// <summary>An object of that name exists but belongs to someone else; it was left alone.</summary>
    Blocked,
}

/// <summary>The outcome of one ensure: what happened and the object as it now is (null when unknown).</summary>
public sealed record Ensured<T>(EnsureResult Result, T? Object)
    where T : class, IKubernetesObject;

/// <summary>
/// Writes an owned object only when it differs from the live one: compares the desired object
/// with the cached live one (<see cref="SemanticEquality"/>) and, when they differ, server-side
/// applies it with the operator's field manager (force, so the operator's fields win, while
/// fields other managers own survive). Thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// An object missing from the cache is looked up on the server first, through
/// <c>server</c> (the caches hold only labelled objects): a same-named object owned by someone else
/// is never taken over. Applies go through <c>writer</c>.
/// </para>
/// <para>
/// It remembers, per object, the desired state it last applied and the resourceVersion the
/// server answered with. When the same desired state meets that same version again, nothing has
/// changed since our write, so even if the comparison cannot see equality (a field some server
/// drops or rewrites) the apply is not repeated. This keeps a steady cluster at zero writes
/// whatever the server's normalizations.
/// </para>
/// </remarks>
/// <param name="server">Reads past the cache: the look-up of an object the cache does not hold.</param>
/// <param name="writer">Where the applies go.</param>
/// <param name="fieldManager">The field manager of every apply.</param>
public sealed class ObjectApplier(IKubeReader server, IKubeWriter writer, string fieldManager)
{
    private readonly ConcurrentDictionary<string, (string Desired, string? ResourceVersion)> _applied = new(StringComparer.Ordinal);

    /// <summary>Makes the object match <paramref name="desired"/>.</summary>
    /// <param name="type">The kind (as resolved by discovery).</param>
    /// <param name="desired">The object from a builder.</param>
    /// <param name="cached">The live object from the cache, or null when the cache has none.</param>
    /// <param name="ownerUid">The uid that must appear among the live object's owner references for it to be ours.</param>
    /// <param name="ignoreWhenAbsent">Paths the server may drop; see <see cref="SemanticEquality"/>.</param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    public async Task<Ensured<T>> EnsureAsync<T>(ResourceType<T> type, T desired, T? cached, string ownerUid, IReadOnlySet<string>? ignoreWhenAbsent, CancellationToken cancellationToken)
        where T : class, IKubernetesObject
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(desired);
        var live = cached ?? await server.GetAsync(type, desired.Metadata.Namespace, desired.Metadata.Name!, cancellationToken).ConfigureAwait(false);
        if (live is not null && !IsOwnedBy(live, ownerUid))
        {
            return new Ensured<T>(EnsureResult.Blocked, live);
        }

        var desiredJson = JsonSerializer.SerializeToNode(desired, type.TypeInfo);
        var key = Key(type, desired);
        var desiredText = desiredJson?.ToJsonString() ?? "";
        if (live is not null)
        {
            if (SemanticEquality.IsSubset(desiredJson, JsonSerializer.SerializeToNode(live, type.TypeInfo), ignoreWhenAbsent))
            {
                return new Ensured<T>(EnsureResult.Unchanged, live);
            }

            if (_applied.TryGetValue(key, out var last) && last.Desired == desiredText && NotNewer(live.Metadata.ResourceVersion, last.ResourceVersion))
            {
                return new Ensured<T>(EnsureResult.Unchanged, live);
            }
        }

        var result = await writer.ApplyAsync(type, desired, new ApplyOptions(fieldManager, Force: true), cancellationToken).ConfigureAwait(false);
        _applied[key] = (desiredText, result.Metadata.ResourceVersion);
        return new Ensured<T>(EnsureResult.Applied, result);
    }

    /// <summary>Forgets what was applied for objects in <paramref name="namespace"/> whose names start with <paramref name="prefix"/> (a deleted cluster).</summary>
    public void Forget(string @namespace, string prefix)
    {
        foreach (var key in _applied.Keys.Where(k => k.Contains($"/{@namespace}/{prefix}", StringComparison.Ordinal)))
        {
            _applied.TryRemove(key, out _);
        }
    }

    /// <summary>Whether <paramref name="obj"/> names <paramref name="ownerUid"/> among its owners.</summary>
    public static bool IsOwnedBy(IKubernetesObject obj, string ownerUid)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return obj.Metadata.OwnerReferences?.Any(r => r?.Uid == ownerUid) == true;
    }

    /// <summary>
    /// Whether <paramref name="live"/> is the version our apply produced, or an older one the
    /// cache has not yet replaced. resourceVersions are opaque, but every etcd-backed server
    /// issues increasing integers; when either does not parse, only equality counts.
    /// </summary>
    private static bool NotNewer(string? live, string? applied) =>
        live == applied
        || (long.TryParse(live, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var l)
            && long.TryParse(applied, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var a)
            && l <= a);

    private static string Key<T>(ResourceType<T> type, T obj)
        where T : class, IKubernetesObject =>
        $"{type.Plural}.{type.Group}/{obj.Metadata.Namespace}/{obj.Metadata.Name}";
}
