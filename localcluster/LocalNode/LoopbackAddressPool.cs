using System.Buffers.Binary;
using System.Net;

namespace DataCluster.LocalCluster.LocalNode;

/// <summary>
/// Gives every pod its own loopback address, starting at a first address and counting up. A pod
/// name keeps its address for the life of the pool, so a StatefulSet pod that is deleted and
/// created again comes back where it was (as it keeps its identity). Addresses some other process
/// already listens on are skipped (<c>isFree</c>), so two local nodes on one machine can coexist.
/// Thread-safe.
/// </summary>
public sealed class LoopbackAddressPool
{
    private const uint LoopbackNetwork = 0x7F000000;
    private const uint LoopbackMask = 0xFF000000;

    private readonly Lock _gate = new();
    private readonly Func<IPAddress, bool> _isFree;
    private readonly Dictionary<string, IPAddress> _byKey = new(StringComparer.Ordinal);
    private uint _next;

    /// <param name="first">An IPv4 address in 127.0.0.0/8.</param>
    /// <param name="isFree">Whether an address can be handed out (for example: nothing listens on the pod's ports there).</param>
    public LoopbackAddressPool(IPAddress first, Func<IPAddress, bool> isFree)
    {
        ArgumentNullException.ThrowIfNull(first);
        _isFree = isFree ?? throw new ArgumentNullException(nameof(isFree));
        if (first.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || (ToUInt(first) & LoopbackMask) != LoopbackNetwork)
        {
            throw new ArgumentException($"The first pod address must be an IPv4 loopback address (127.x.y.z); got {first}.", nameof(first));
        }

        _next = ToUInt(first);
    }

    /// <summary>The address of <paramref name="key"/> (e.g. namespace/pod), allocating the next free one the first time.</summary>
    /// <exception cref="InvalidOperationException">127.0.0.0/8 is used up.</exception>
    public IPAddress AddressFor(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_gate)
        {
            if (_byKey.TryGetValue(key, out var known))
            {
                return known;
            }

            while ((_next & LoopbackMask) == LoopbackNetwork)
            {
                var candidate = FromUInt(_next++);
                if ((ToUInt(candidate) & 0xFF) is 0 or 255)
                {
                    continue; // network and broadcast-looking addresses confuse people reading logs
                }

                if (_isFree(candidate))
                {
                    _byKey[key] = candidate;
                    return candidate;
                }
            }

            throw new InvalidOperationException("No loopback address is left for another pod (127.0.0.0/8 is used up).");
        }
    }

    /// <summary>The address given to <paramref name="key"/>, or null.</summary>
    public IPAddress? Find(string key)
    {
        lock (_gate)
        {
            return _byKey.GetValueOrDefault(key);
        }
    }

    private static uint ToUInt(IPAddress address) => BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes());

    private static IPAddress FromUInt(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }
}
