using System.Runtime.InteropServices;

namespace DataCluster.Agent.Peers;

/// <summary>
/// Peer streams read by the replication loop's own thread: while a loop is attached, the peer
/// listener hands it every stream it accepts, and the loop waits for their bytes and its own
/// wake-up in one <c>poll</c>, then reads what arrived.
/// </summary>
/// <remarks>
/// <para>Why: a batch read by a stream's own thread and queued for the loop costs two thread
/// wake-ups (the reader's, then the loop's); read by the loop it costs one. On a machine where a
/// wake-up is dear that is a tenth of a one-client write (docs/performance.md).</para>
/// <para>Without an attached loop (before it starts, after it ends, where the loop cannot
/// poll) each stream has a thread of its own, as before. The loop alone calls
/// <see cref="Attach"/>, <see cref="Detach"/>, <see cref="Poll"/> and <see cref="ReadReady"/>;
/// <see cref="TryAdopt"/> is thread-safe.</para>
/// </remarks>
public sealed partial class PeerStreamPoll
{
    private const short PollIn = 0x001;

    private readonly object _gate = new();
    private readonly List<PeerFrameReader> _adopted = []; // under _gate
    private readonly List<PeerFrameReader> _readers = []; // the loop's thread only
    private PollFd[] _fds = new PollFd[8];
    private Action? _wake;
    private bool _attached;

    /// <summary>
    /// True while a stream holds a batch the inbound queue had no room for (the loop's thread
    /// only): the loop must not sleep then, since its socket may have nothing more to wake it.
    /// </summary>
    internal bool Holding => _readers.Exists(static reader => reader.Holding);

    /// <summary>
    /// From now on accepted streams are handed to the calling loop; <paramref name="wake"/> tells
    /// it one was. False when another loop is attached already (the caller then leaves the streams
    /// alone): the streams are read by one thread.
    /// </summary>
    internal bool Attach(Action wake)
    {
        lock (_gate)
        {
            if (_attached)
            {
                return false;
            }

            _wake = wake;
            _attached = true;
            return true;
        }
    }

    /// <summary>Ends every stream the loop reads (their senders reconnect); new streams get threads of their own again.</summary>
    internal void Detach()
    {
        List<PeerFrameReader> adopted;
        lock (_gate)
        {
            _attached = false;
            _wake = null;
            adopted = [.. _adopted];
            _adopted.Clear();
        }

        foreach (var reader in _readers.Concat(adopted))
        {
            reader.End();
        }

        _readers.Clear();
    }

    /// <summary>Hands a stream to the loop; false when no loop is attached (the caller reads it itself).</summary>
    internal bool TryAdopt(PeerFrameReader reader)
    {
        Action? wake;
        lock (_gate)
        {
            if (!_attached)
            {
                return false;
            }

            _adopted.Add(reader);
            wake = _wake;
        }

        wake?.Invoke();
        return true;
    }

    /// <summary>
    /// Waits up to <paramref name="milliseconds"/> (0: not at all) for bytes on any stream or for
    /// <paramref name="wakeDescriptor"/> (-1: none) to become readable. True when the latter did.
    /// Takes in the streams handed over since the last call first.
    /// </summary>
    internal unsafe bool Poll(int wakeDescriptor, int milliseconds)
    {
        lock (_gate)
        {
            _readers.AddRange(_adopted);
            _adopted.Clear();
        }

        var count = _readers.Count + (wakeDescriptor >= 0 ? 1 : 0);
        if (count == 0)
        {
            return false;
        }

        if (_fds.Length < count)
        {
            _fds = new PollFd[Math.Max(count, _fds.Length * 2)];
        }

        for (var i = 0; i < _readers.Count; i++)
        {
            _fds[i] = new PollFd { Descriptor = (int)_readers[i].Socket.Handle, Events = PollIn };
        }

        if (wakeDescriptor >= 0)
        {
            _fds[_readers.Count] = new PollFd { Descriptor = wakeDescriptor, Events = PollIn };
        }

        int ready;
        fixed (PollFd* fds = _fds)
        {
            // -1 on a signal: as if nothing were ready; the loop looks again.
            ready = PollNative(fds, (nuint)count, milliseconds);
        }

        if (ready <= 0)
        {
            for (var i = 0; i < count; i++)
            {
                _fds[i].Returned = 0;
            }

            return false;
        }

        return wakeDescriptor >= 0 && _fds[_readers.Count].Returned != 0;
    }

    /// <summary>Reads every stream the last <see cref="Poll"/> found readable (or closed), and every one holding a message the queue had no room for.</summary>
    internal void ReadReady()
    {
        var kept = 0;
        for (var i = 0; i < _readers.Count; i++)
        {
            var reader = _readers[i];
            var ready = i < _fds.Length && _fds[i].Returned != 0;
            if ((ready || reader.Holding) && !reader.ReadAvailable())
            {
                continue;
            }

            _readers[kept++] = reader;
        }

        _readers.RemoveRange(kept, _readers.Count - kept);
    }

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static unsafe partial int PollNative(PollFd* fds, nuint count, int timeout);

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Descriptor;
        public short Events;
        public short Returned;
    }
}
