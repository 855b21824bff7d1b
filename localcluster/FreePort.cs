using System.Net;
using System.Net.Sockets;

namespace DataCluster.LocalCluster;

/// <summary>Free TCP ports for servers started on this machine (API server, etcd, the operator's endpoints).</summary>
public static class FreePort
{
    /// <summary>
    /// A port nothing listens on at 127.0.0.1 right now, chosen by the kernel. Another process may
    /// take it before the caller binds it; on a test machine that is rare enough to accept.
    /// </summary>
    public static int OnLoopback()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
