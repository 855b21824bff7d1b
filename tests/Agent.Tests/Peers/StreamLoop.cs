using DataCluster.Agent.DataPlane;
using DataCluster.Agent.Peers;

namespace DataCluster.Agent.Tests.Peers;

/// <summary>
/// The replication loop's part in reading peer streams, on a thread of its own: it attaches to
/// the transport's <see cref="PeerStreamPoll"/>, waits in it and reads what arrives, as the data
/// plane's loop does. Counts on which thread each batch was handed to the inbound queue.
/// </summary>
internal sealed class StreamLoop : IDisposable
{
    private readonly LoopWake _wake = new();
    private readonly PeerStreamPoll _streams;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private long _onLoop;
    private long _elsewhere;

    public StreamLoop(StreamPeerTransport transport)
    {
        _streams = transport.StreamPoll!;
        _thread = new Thread(Run) { IsBackground = true, Name = "test-loop" };
        transport.ArrivalSignal = () =>
        {
            Interlocked.Increment(ref Environment.CurrentManagedThreadId == _thread.ManagedThreadId ? ref _onLoop : ref _elsewhere);
            _wake.Set();
        };
        if (!_streams.Attach(_wake.Set))
        {
            throw new InvalidOperationException("another loop reads this transport's streams");
        }

        _thread.Start();
    }

    /// <summary>Batches this loop's thread handed to the inbound queue.</summary>
    public long DeliveredOnLoop => Interlocked.Read(ref _onLoop);

    /// <summary>Batches other threads (a stream's own) handed to the inbound queue.</summary>
    public long DeliveredElsewhere => Interlocked.Read(ref _elsewhere);

    /// <summary>Stops the loop: it detaches, which ends the streams it read.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
    }

    private void Run()
    {
        while (!_stop.IsCancellationRequested)
        {
            _wake.Reset();
            try
            {
                // A minute: only bytes on a stream, a handed-over stream or the stop end it, so a
                // wake-up that does not come shows as a test running out of time. As the data
                // plane's loop, it does not sleep while a stream holds a batch for want of room;
                // the test takes from the queue, so it looks again shortly.
                _wake.Wait(_streams.Holding ? 10 : 60_000, _stop.Token, _streams);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            _streams.ReadReady();
        }

        _streams.Detach();
        _wake.Dispose();
    }
}
