using System.Net;
using System.Net.Sockets;

namespace DataCluster.Agent.Hosting;

/// <summary>A bound, listening TCP socket for one of the agent's ports.</summary>
public static class ListeningSocket
{
    // Linux's values (asm-generic/socket.h); the agent listens only on Linux.
    private const int SolSocket = 1;
    private const int SoReuseAddr = 2;

    /// <summary>Connections the kernel queues for a listener before it accepts them.</summary>
    private const int Backlog = 512;

    /// <summary>
    /// Binds <paramref name="endpoint"/> and listens. A restarted member binds its port again at
    /// once, while connections of its previous process linger in TIME_WAIT (SO_REUSEADDR), but a
    /// port another process listens on fails here with <see cref="SocketError.AddressAlreadyInUse"/>.
    /// </summary>
    /// <remarks>
    /// Not <see cref="SocketOptionName.ReuseAddress"/>: on Linux .NET maps it to SO_REUSEADDR and
    /// SO_REUSEPORT, and with SO_REUSEPORT a second process binds the same port without an error
    /// and the kernel shares the connections between the two.
    /// </remarks>
    /// <exception cref="SocketException">The address cannot be bound (in use, not local, no permission).</exception>
    public static Socket Open(IPEndPoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            if (OperatingSystem.IsLinux())
            {
                socket.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
            }

            socket.Bind(endpoint);
            socket.Listen(Backlog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
