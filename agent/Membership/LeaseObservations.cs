using DataCluster.Kube.Models;

namespace DataCluster.Agent.Membership;

/// <summary>
/// What the cluster leader has seen of the member Leases, with freshness judged by this
/// process's own clock: a Lease is fresh for leaseDurationSeconds after the moment this process
/// saw its renewTime (or holder) change. Comparing the remote renewTime with the local wall clock
/// would make freshness depend on clock skew between nodes; measuring locally depends only on
/// clock rate, as client-go's leader election does.
/// </summary>
/// <remarks>
/// <para>
/// First sighting (a new cluster leader lists the Leases): nothing has been seen to change yet.
/// Waiting a whole lease duration from then would keep a long-dead member (often the previous
/// leader itself) in the ring for up to twice the lease duration after its death. So on first
/// sighting the Lease's age by the wall clock, clamped to [0, duration], is taken as already
/// elapsed: a Lease last renewed an hour ago is stale at once, a recent one keeps only its
/// remaining time. Skew matters only then and only in one direction: a node whose clock runs
/// ahead by more than the lease duration makes a live member look stale until its next renewal,
/// one renew interval later. Every later change is timed locally.
/// </para>
/// <para>Thread-safe.</para>
/// </remarks>
public sealed class LeaseObservations(TimeProvider time, TimeSpan defaultDuration)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Observation> _observations = new(StringComparer.Ordinal);

    /// <summary>
    /// Records the current state of a Lease (from a list or a watch event). Returns true when
    /// that may change membership: the Lease is new, its holder changed, or it went from stale
    /// to fresh, or its leaving mark (<see cref="Contracts.AnnotationKeys.Leaving"/>) came or went.
    /// A routine renewal of a fresh Lease returns false.
    /// </summary>
    public bool Observe(Lease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var name = lease.Metadata.Name;
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        var holder = string.IsNullOrEmpty(lease.Spec.HolderIdentity) ? null : lease.Spec.HolderIdentity;
        var renewTime = lease.Spec.RenewTime;
        var duration = lease.Spec.LeaseDurationSeconds is int seconds and > 0 ? TimeSpan.FromSeconds(seconds) : defaultDuration;
        var leaving = lease.Metadata.Annotations?.GetValueOrDefault(Contracts.AnnotationKeys.Leaving) == "true";
        var now = time.GetTimestamp();
        lock (_gate)
        {
            long renewedAt;
            var known = _observations.TryGetValue(name, out var seen);
            if (known)
            {
                renewedAt = seen!.RenewTime == renewTime && seen.Holder == holder ? seen.RenewedAt : now;
            }
            else
            {
                var age = renewTime is { } renewed ? time.GetUtcNow() - renewed : TimeSpan.Zero;
                age = age < TimeSpan.Zero ? TimeSpan.Zero : age > duration ? duration : age;
                renewedAt = now - (long)(age.TotalSeconds * time.TimestampFrequency);
            }

            var next = new Observation(holder, renewTime, duration, renewedAt, leaving);
            _observations[name] = next;
            return !known || seen!.Holder != holder || Fresh(seen) != Fresh(next) || seen.Leaving != leaving;
        }
    }

    /// <summary>Forgets a deleted Lease.</summary>
    public void Forget(string name)
    {
        lock (_gate)
        {
            _observations.Remove(name);
        }
    }

    /// <summary>
    /// True when Lease <paramref name="name"/> is held by <paramref name="holder"/>, has been
    /// renewed at least once, and its last observed renewal is younger than its duration.
    /// </summary>
    public bool IsFresh(string name, string holder)
    {
        lock (_gate)
        {
            return _observations.TryGetValue(name, out var seen) && seen.Holder == holder && Fresh(seen);
        }
    }

    /// <summary>True when Lease <paramref name="name"/> is held by <paramref name="holder"/> and its holder marked it leaving.</summary>
    public bool IsLeaving(string name, string holder)
    {
        lock (_gate)
        {
            return _observations.TryGetValue(name, out var seen) && seen.Holder == holder && seen.Leaving;
        }
    }

    /// <summary>How long until the first currently fresh Lease goes stale, or null when none is fresh.</summary>
    public TimeSpan? UntilNextExpiry()
    {
        lock (_gate)
        {
            TimeSpan? earliest = null;
            foreach (var seen in _observations.Values)
            {
                if (seen.Holder is null || seen.RenewTime is null)
                {
                    continue;
                }

                var left = seen.Duration - time.GetElapsedTime(seen.RenewedAt);
                if (left > TimeSpan.Zero && (earliest is null || left < earliest))
                {
                    earliest = left;
                }
            }

            return earliest;
        }
    }

    private bool Fresh(Observation seen) =>
        seen.Holder is not null && seen.RenewTime is not null && time.GetElapsedTime(seen.RenewedAt) < seen.Duration;

    private sealed record Observation(string? Holder, DateTimeOffset? RenewTime, TimeSpan Duration, long RenewedAt, bool Leaving);
}
