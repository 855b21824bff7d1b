using System.Collections.Concurrent;
using DataCluster.Kube.Informers;
using DataCluster.Kube.Models;

namespace DataCluster.Operator.Controllers;

/// <summary>
/// Tracks, for every cached Lease, when this process saw its renewTime change, as client-go's
/// leader election does with its observedTime. Freshness is then judged on the local clock alone,
/// so a node whose clock runs ahead or behind cannot make its member look alive or dead.
/// </summary>
/// <remarks>
/// <para>
/// An informer handler (register it on the Lease informer before it runs): changes are stamped
/// when the watch delivers them, not when a reconcile happens to look.
/// </para>
/// <para>
/// On first sight (start-up, or a new Lease) there is no local observation yet; the Lease's own
/// renewTime is used, capped at now. Trusting it once keeps a Lease that expired long before a
/// restart expired after it (instead of looking fresh for one more lease duration and flipping
/// the ring), and the cap keeps a clock running ahead from extending it.
/// </para>
/// Thread-safe.
/// </remarks>
public sealed class LeaseObserver(TimeProvider time) : IInformerHandler<Lease>
{
    private readonly ConcurrentDictionary<string, Observation> _seen = new(StringComparer.Ordinal);

    /// <summary>When the Lease's current renewTime was observed; null when it was never renewed.</summary>
    public DateTimeOffset? ObservedRenewTime(Lease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var remote = lease.Spec.RenewTime;
        if (remote is null)
        {
            return null;
        }

        return _seen.TryGetValue(Key(lease), out var seen) && seen.Remote == remote ? seen.Observed : FirstSight(remote.Value);
    }

    public void OnAdd(Lease obj) => _seen[Key(obj)] = new Observation(obj.Spec.RenewTime, obj.Spec.RenewTime is { } remote ? FirstSight(remote) : null);

    public void OnUpdate(Lease oldObj, Lease newObj)
    {
        var key = Key(newObj);
        var remote = newObj.Spec.RenewTime;
        if (_seen.TryGetValue(key, out var seen) && seen.Remote == remote)
        {
            return;
        }

        _seen[key] = new Observation(remote, remote is null ? null : time.GetUtcNow());
    }

    public void OnDelete(Lease obj) => _seen.TryRemove(Key(obj), out _);

    private DateTimeOffset FirstSight(DateTimeOffset remote)
    {
        var now = time.GetUtcNow();
        return remote < now ? remote : now;
    }

    private static string Key(Lease lease) => $"{lease.Metadata.Namespace}/{lease.Metadata.Name}";

    private readonly record struct Observation(DateTimeOffset? Remote, DateTimeOffset? Observed);
}
