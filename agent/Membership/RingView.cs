using DataCluster.Kube.Models;

namespace DataCluster.Agent.Membership;

/// <summary>
/// The latest <see cref="RingSnapshot"/> this agent has seen. Thread-safe: readers get a whole
/// snapshot. <see cref="Changed"/> runs on the updating thread after the snapshot is replaced and
/// must be quick (it signals, never blocks).
/// </summary>
public sealed class RingView(string cluster)
{
    private RingSnapshot _current = RingSnapshot.Empty;

    /// <summary>Raised after every <see cref="Update"/>.</summary>
    public event Action? Changed;

    public RingSnapshot Current => Volatile.Read(ref _current);

    /// <summary>Replaces the snapshot with a reading of <paramref name="slice"/> (null = the slice is gone).</summary>
    public void Update(EndpointSlice? slice)
    {
        Volatile.Write(ref _current, RingSnapshot.From(slice, cluster));
        Changed?.Invoke();
    }
}
