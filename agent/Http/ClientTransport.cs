using System.Net;
using System.Net.Sockets;
using DataCluster.Agent.Hosting;
using Microsoft.AspNetCore.Connections;

namespace DataCluster.Agent.Http;

/// <summary>
/// The web server's transport for the client port: a listening socket whose connections are
/// each read by a thread of their own (<see cref="ClientConnection"/>), on which the web server
/// parses and runs the request. The sockets transport it replaces reads every connection on the
/// socket engine's thread and continues on a thread-pool worker; each of those hand-overs is a
/// thread wake-up, which on this kind of machine costs about as much as the rest of the request
/// (docs/performance.md, "Where the time goes").
/// </summary>
/// <remarks>
/// <para>At most <see cref="MaxThreadedConnections"/> connections have a thread at once; further
/// ones are read with asynchronous receives on the thread pool, as the sockets transport does,
/// so a client with thousands of connections costs no more threads than that and is never
/// refused for it.</para>
/// <para>Thread-safe. The web server binds, accepts, unbinds and disposes through
/// <see cref="IConnectionListener"/>.</para>
/// </remarks>
public sealed class ClientTransport : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    /// <summary>
    /// Connections with a thread of their own. An app's HTTP client keeps a few connections per
    /// agent, and the load generator of <c>make bench-writes</c> opens 64; 512 threads of a small
    /// stack (<see cref="ClientConnection"/>) stay a few MiB of resident memory.
    /// </summary>
    public const int MaxThreadedConnections = 512;

    private readonly int _maxThreaded;
    private int _threaded;

    /// <summary>A transport giving up to <see cref="MaxThreadedConnections"/> connections a thread.</summary>
    public ClientTransport()
        : this(MaxThreadedConnections)
    {
    }

    /// <summary>A transport giving up to <paramref name="maxThreaded"/> connections a thread (0: none, every connection on the thread pool).</summary>
    public ClientTransport(int maxThreaded)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxThreaded);
        _maxThreaded = maxThreaded;
    }

    /// <summary>Connections open now that have a thread of their own.</summary>
    public int ThreadedConnections => Volatile.Read(ref _threaded);

    /// <inheritdoc/>
    public bool CanBind(EndPoint endpoint) => endpoint is IPEndPoint;

    /// <inheritdoc/>
    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (endpoint is not IPEndPoint address)
        {
            throw new NotSupportedException($"the client transport listens on IP addresses only, not on {endpoint}");
        }

        Socket socket;
        try
        {
            socket = ListeningSocket.Open(address);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            // The web server reports this one as "address already in use", naming the endpoint.
            throw new AddressInUseException(e.Message, e);
        }

        return new ValueTask<IConnectionListener>(new Listener(this, socket));
    }

    /// <summary>Takes a thread for a new connection if fewer than the most allowed have one.</summary>
    internal bool TryTakeThread()
    {
        while (true)
        {
            var now = Volatile.Read(ref _threaded);
            if (now >= _maxThreaded)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _threaded, now + 1, now) == now)
            {
                return true;
            }
        }
    }

    /// <summary>Gives back a thread taken by <see cref="TryTakeThread"/> once its connection ended.</summary>
    internal void ReturnThread() => Interlocked.Decrement(ref _threaded);

    private sealed class Listener(ClientTransport transport, Socket socket) : IConnectionListener
    {
        public EndPoint EndPoint { get; } = socket.LocalEndPoint!;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            while (true)
            {
                Socket accepted;
                try
                {
                    accepted = await socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (ObjectDisposedException)
                {
                    return null;
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.OperationAborted)
                {
                    return null;
                }
                catch (SocketException)
                {
                    // A connection reset before it was accepted, or no descriptor left for it:
                    // that client's loss, not the listener's; go on with the next one.
                    continue;
                }

                return ClientConnection.Start(transport, accepted);
            }
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
        {
            socket.Dispose();
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            socket.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
