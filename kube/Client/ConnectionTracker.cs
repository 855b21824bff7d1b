using System.Collections.Concurrent;
using System.Net.Sockets;

namespace DataCluster.Kube.Client;

/// <summary>
/// Opens the TCP connections of one handler and can close them all at once. A client certificate
/// is checked only in the TLS handshake, so after an exec plugin hands out a new certificate the
/// pooled connections that presented the old one must go; requests on them fail and are retried
/// on new connections, as watches reconnect. Thread-safe.
/// </summary>
internal sealed class ConnectionTracker
{
    private readonly ConcurrentDictionary<TrackedStream, byte> _open = new();

    /// <summary>For <see cref="SocketsHttpHandler.ConnectCallback"/>: what the handler does by default, remembered.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var stream = new TrackedStream(socket, this);
        _open.TryAdd(stream, 0);
        return stream;
    }

    /// <summary>Closes every open connection.</summary>
    public void CloseAll()
    {
        foreach (var stream in _open.Keys)
        {
            stream.Dispose();
        }
    }

    private sealed class TrackedStream(Socket socket, ConnectionTracker owner) : NetworkStream(socket, ownsSocket: true)
    {
        protected override void Dispose(bool disposing)
        {
            owner._open.TryRemove(this, out _);
            base.Dispose(disposing);
        }
    }
}
