using System.Globalization;
using System.Net;
using System.Net.Sockets;
using DataCluster.Agent.Membership;

namespace DataCluster.Agent.Peers;

/// <summary>
/// Resolves a member id to its peer-port URL, <c>http://POD_IP:PEER_PORT</c>, from the ring
/// EndpointSlice the agent watches (every member listens on the same configured peer port).
/// </summary>
/// <remarks>
/// Thread-safe and cheap: the URLs of one <see cref="RingSnapshot"/> are built once, on the
/// first lookup after the ring changes, and shared by every caller until the next change.
/// </remarks>
public sealed class PeerAddressBook(RingView ring, int peerPort)
{
    private Entries _entries = new(RingSnapshot.Empty, new Dictionary<string, Uri>(StringComparer.Ordinal));

    /// <summary>The URL of <paramref name="member"/>'s peer port, or null when the ring lists it without an address or not at all.</summary>
    public Uri? Resolve(string member)
    {
        var snapshot = ring.Current;
        var entries = Volatile.Read(ref _entries);
        if (!ReferenceEquals(entries.Snapshot, snapshot))
        {
            entries = new Entries(snapshot, Build(snapshot, peerPort));
            Volatile.Write(ref _entries, entries);
        }

        return entries.Urls.GetValueOrDefault(member);
    }

    /// <summary>The peer-port URL of an address: IPv6 in brackets.</summary>
    public static Uri UrlOf(string address, int port)
    {
        var host = IPAddress.TryParse(address, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{ip}]" : address;
        return new Uri($"http://{host}:{port.ToString(CultureInfo.InvariantCulture)}");
    }

    private static Dictionary<string, Uri> Build(RingSnapshot snapshot, int port)
    {
        var urls = new Dictionary<string, Uri>(StringComparer.Ordinal);
        foreach (var endpoint in snapshot.Endpoints)
        {
            if (endpoint.Address is { } address)
            {
                urls[endpoint.Id] = UrlOf(address, port);
            }
        }

        return urls;
    }

    private sealed record Entries(RingSnapshot Snapshot, Dictionary<string, Uri> Urls);
}
