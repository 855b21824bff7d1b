using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace DataCluster.Agent.Http;

/// <summary>
/// One client connection of <see cref="ClientTransport"/>. Its receiving side is a thread that
/// waits in the socket and hands what arrives to the web server, which parses and runs the
/// request on that same thread (the input pipe continues its reader inline). Its sending side
/// writes the answer on whichever thread completes it (the output pipe continues inline too):
/// for a write, the replication loop that met its commit level.
/// </summary>
/// <remarks>
/// <para>The socket is non-blocking. The receiving thread waits in <c>poll</c>; an answer is
/// written with a non-blocking send, and only what the connection's buffer had no room for waits
/// on the socket engine (a client that does not read its answers never holds the loop). A
/// connection beyond <see cref="ClientTransport.MaxThreadedConnections"/> is received with
/// asynchronous receives on the thread pool instead.</para>
/// <para>Ends when the client closes or resets (the input completes and
/// <see cref="ConnectionClosed"/> fires), when the web server completes the output (the socket is
/// shut down, which ends the receiving side), or on <see cref="Abort(ConnectionAbortedException)"/>.</para>
/// </remarks>
internal sealed class ClientConnection : ConnectionContext
{
    /// <summary>
    /// The receiving thread's stack. The request runs on it, but asynchronously: every await
    /// that does not complete at once returns here, so the stack never holds more than one
    /// request's synchronous part; 256 KiB is several times what that takes.
    /// </summary>
    private const int StackBytes = 256 * 1024;

    /// <summary>The least room asked of the input pipe per receive; a request of the bench (a 256 B event with its headers) fits in one.</summary>
    private const int MinReceiveBytes = 4096;

    // The web server's own defaults for the same two limits (KestrelServerLimits):
    // MaxRequestBufferSize and MaxResponseBufferSize. Past them the side that fills stops.
    private const long InputPauseBytes = 1024 * 1024;
    private const long OutputPauseBytes = 64 * 1024;

    private static long _nextId;

    private readonly ClientTransport _transport;
    private readonly Socket _socket;
    private readonly Pipe _input;
    private readonly Pipe _output;
    private readonly CancellationTokenSource _closed = new();
    private readonly TaskCompletionSource _received = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _threaded;
    private Task _sending = Task.CompletedTask;
    private int _shutdown;

    private ClientConnection(ClientTransport transport, Socket socket, bool threaded)
    {
        _transport = transport;
        _socket = socket;
        _threaded = threaded;
        // Inline both ways: a flush runs the waiting reader on the flushing thread, which is the
        // point of this transport; each pipe's writer is never left waiting on a queue either.
        _input = new Pipe(new PipeOptions(
            readerScheduler: PipeScheduler.Inline,
            writerScheduler: PipeScheduler.Inline,
            pauseWriterThreshold: InputPauseBytes,
            resumeWriterThreshold: InputPauseBytes / 2,
            useSynchronizationContext: false));
        _output = new Pipe(new PipeOptions(
            readerScheduler: PipeScheduler.Inline,
            writerScheduler: PipeScheduler.Inline,
            pauseWriterThreshold: OutputPauseBytes,
            resumeWriterThreshold: OutputPauseBytes / 2,
            useSynchronizationContext: false));
        Transport = new DuplexPipe(_input.Reader, _output.Writer);
        ConnectionId = "client-" + Interlocked.Increment(ref _nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        LocalEndPoint = socket.LocalEndPoint;
        RemoteEndPoint = socket.RemoteEndPoint;
        ConnectionClosed = _closed.Token;
    }

    public override string ConnectionId { get; set; }

    public override IFeatureCollection Features { get; } = new FeatureCollection();

    public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

    public override IDuplexPipe Transport { get; set; }

    public override EndPoint? LocalEndPoint { get; set; }

    public override EndPoint? RemoteEndPoint { get; set; }

    public override CancellationToken ConnectionClosed { get; set; }

    /// <summary>Starts receiving and sending on an accepted socket.</summary>
    public static ClientConnection Start(ClientTransport transport, Socket socket)
    {
        socket.NoDelay = true;
        socket.Blocking = false;
        var connection = new ClientConnection(transport, socket, transport.TryTakeThread());
        connection._sending = connection.SendAsync();
        if (connection._threaded)
        {
            new Thread(connection.Receive, StackBytes) { IsBackground = true, Name = "client-connection" }.Start();
        }
        else
        {
            _ = Task.Run(connection.ReceivePooledAsync);
        }

        return connection;
    }

    /// <inheritdoc/>
    public override void Abort(ConnectionAbortedException abortReason)
    {
        // Ends both sides: the receiving thread's poll returns, a send in progress fails, and a
        // send loop waiting for output stops waiting.
        Shutdown();
        _output.Reader.CancelPendingRead();
    }

    /// <inheritdoc/>
    public override async ValueTask DisposeAsync()
    {
        Shutdown();
        _output.Reader.CancelPendingRead();
        await _sending.ConfigureAwait(false);
        await _received.Task.ConfigureAwait(false);
        _socket.Dispose();
        _closed.Dispose();
    }

    private void Receive()
    {
        Exception? error = null;
        try
        {
            while (true)
            {
                var memory = _input.Writer.GetMemory(MinReceiveBytes);
                var got = _socket.Receive(memory.Span, SocketFlags.None, out var status);
                if (status == SocketError.WouldBlock)
                {
                    // Nothing yet: sleep in the socket until it has bytes, an end, or an error.
                    _socket.Poll(-1, SelectMode.SelectRead);
                    continue;
                }

                if (status != SocketError.Success)
                {
                    error = Ended(status);
                    break;
                }

                if (got == 0 || !Flush(got))
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException)
        {
            // Disposed or shut down under the wait: the connection is over.
        }
        finally
        {
            _transport.ReturnThread();
            EndReceiving(error);
        }
    }

    private async Task ReceivePooledAsync()
    {
        Exception? error = null;
        try
        {
            while (true)
            {
                var memory = _input.Writer.GetMemory(MinReceiveBytes);
                var got = await _socket.ReceiveAsync(memory, SocketFlags.None).ConfigureAwait(false);
                if (got == 0)
                {
                    break;
                }

                _input.Writer.Advance(got);
                var flushed = await _input.Writer.FlushAsync().ConfigureAwait(false);
                if (flushed.IsCompleted || flushed.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (SocketException e)
        {
            error = Ended(e.SocketErrorCode);
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            EndReceiving(error);
        }
    }

    /// <summary>Hands <paramref name="got"/> received bytes to the web server, which runs what they complete on this thread; false once it reads no more.</summary>
    private bool Flush(int got)
    {
        _input.Writer.Advance(got);
        var flush = _input.Writer.FlushAsync();
        // Pending only while the web server holds a megabyte unread (a large body it has not
        // consumed yet): this connection's thread then waits for room, as TCP makes its client.
        var result = flush.IsCompleted ? flush.Result : flush.AsTask().GetAwaiter().GetResult();
        return !(result.IsCompleted || result.IsCanceled);
    }

    private void EndReceiving(Exception? error)
    {
        _input.Writer.Complete(error);
        // Off this thread: the web server's callbacks on close must not run inside a receive.
        ThreadPool.UnsafeQueueUserWorkItem(static source => Cancel(source), _closed, preferLocal: false);
        _received.TrySetResult();
    }

    private static void Cancel(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task SendAsync()
    {
        try
        {
            while (true)
            {
                var result = await _output.Reader.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                foreach (var segment in buffer)
                {
                    if (!await SendAsync(segment).ConfigureAwait(false))
                    {
                        return;
                    }
                }

                _output.Reader.AdvanceTo(buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException)
        {
        }
        finally
        {
            _output.Reader.Complete();
            // The web server is done with the connection, or it failed: either way the
            // receiving side ends with it.
            Shutdown();
        }
    }

    /// <summary>Sends <paramref name="segment"/>: on this thread while the connection has room, the rest on the socket engine. False when the connection failed.</summary>
    private async ValueTask<bool> SendAsync(ReadOnlyMemory<byte> segment)
    {
        while (segment.Length > 0)
        {
            var sent = _socket.Send(segment.Span, SocketFlags.None, out var status);
            if (status == SocketError.WouldBlock)
            {
                sent = await _socket.SendAsync(segment, SocketFlags.None).ConfigureAwait(false);
            }
            else if (status != SocketError.Success)
            {
                return false;
            }

            segment = segment[sent..];
        }

        return true;
    }

    private void Shutdown()
    {
        if (Interlocked.Exchange(ref _shutdown, 1) != 0)
        {
            return;
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already reset or closed by the client.
        }
    }

    /// <summary>What a receive that ended with <paramref name="status"/> tells the web server: the client's connection is gone (reset, most often).</summary>
    private static ConnectionResetException Ended(SocketError status) => new($"the client's connection ended: {status}");

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
