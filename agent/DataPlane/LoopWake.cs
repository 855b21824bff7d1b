using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DataCluster.Agent.Peers;

namespace DataCluster.Agent.DataPlane;

/// <summary>
/// The replication loop's wake-up: any thread sets it, the loop alone resets it and waits on it.
/// On Linux (x64 and arm64) it is one futex word: a <see cref="Set"/> while the loop runs costs
/// one atomic exchange, and one <c>FUTEX_WAKE</c> when the loop sleeps. A
/// <see cref="ManualResetEventSlim"/> goes through the runtime's wait subsystem instead, which
/// under Native AOT on Linux serialises every blocking wait and wake-up of the process (the
/// thread pool's included) on one spinning lock; at one client that lock was half of an
/// agent's yields of its core (docs/performance.md). Elsewhere it is that event.
/// <para>The loop can also wait in <c>poll</c> on the peer streams it reads
/// (<see cref="PeerStreamPoll"/>) and on an eventfd; a <see cref="Set"/> then writes the eventfd
/// instead of waking the futex.</para>
/// </summary>
internal sealed unsafe partial class LoopWake : IDisposable
{
    private const int FutexWaitPrivate = 0 | 128;
    private const int FutexWakePrivate = 1 | 128;
    private const int EventFdNonBlocking = 0x800;
    private const int EventFdCloseOnExec = 0x80000;

    private readonly long _futex = FutexSyscall();

    // The futex word: the kernel keys a futex by address, so it lives in an array the garbage
    // collector never moves, and that array lives as long as anything can still set it.
    private readonly int[] _pinned = GC.AllocateArray<int>(1, pinned: true);
    private readonly int* _word;
    private readonly ManualResetEventSlim? _event;

    // While the loop is in (or about to enter) a wait: 1 in FUTEX_WAIT, 2 in poll; only then
    // does Set make a system call.
    private int _waiting;

    // The eventfd a Set writes while the loop polls; created on the first such wait, -1 before.
    private int _eventFd = -1;

    public LoopWake()
    {
        if (_futex > 0)
        {
            _word = (int*)Unsafe.AsPointer(ref _pinned[0]);
        }
        else
        {
            _event = new ManualResetEventSlim(false, spinCount: 1);
        }
    }

    /// <summary>True when set and not reset since.</summary>
    public bool IsSet => _event?.IsSet ?? Volatile.Read(ref *_word) == 1;

    /// <summary>Sets it and wakes the loop if it waits. Thread-safe, never blocks.</summary>
    public void Set()
    {
        if (_event is { } slim)
        {
            slim.Set();
            return;
        }

        // Both exchanges are full fences: either the waiter sees the word set before it sleeps
        // (and FUTEX_WAIT, which compares it again, returns at once), or this sees it waiting.
        if (Interlocked.Exchange(ref *_word, 1) == 0)
        {
            switch (Volatile.Read(ref _waiting))
            {
                case 1:
                    Futex(_word, FutexWakePrivate, 1, null);
                    break;
                case 2:
                    long one = 1;
                    _ = Write(_eventFd, &one, sizeof(long));
                    break;
            }
        }
    }

    /// <summary>True when <see cref="Wait(int, CancellationToken, PeerStreamPoll)"/> can wait on peer streams (Linux x64 and arm64).</summary>
    public bool CanPoll => _event is null;

    /// <summary>Resets it; the loop's thread only.</summary>
    public void Reset()
    {
        if (_event is { } slim)
        {
            slim.Reset();
            return;
        }

        Volatile.Write(ref *_word, 0);
    }

    /// <summary>Waits until it is set, <paramref name="milliseconds"/> pass or <paramref name="cancellationToken"/> is cancelled (then throws); the loop's thread only.</summary>
    public void Wait(int milliseconds, CancellationToken cancellationToken)
    {
        if (_event is { } slim)
        {
            slim.Wait(milliseconds, cancellationToken);
            return;
        }

        cancellationToken.ThrowIfCancellationRequested();
        using (cancellationToken.UnsafeRegister(static wake => ((LoopWake)wake!).Set(), this))
        {
            Interlocked.Exchange(ref _waiting, 1);
            if (Volatile.Read(ref *_word) == 0)
            {
                var timeout = new Timespec { Seconds = milliseconds / 1000, Nanoseconds = milliseconds % 1000 * 1_000_000L };
                // Returns when woken, at the timeout, on a signal, or at once when the word is no longer 0.
                Futex(_word, FutexWaitPrivate, 0, &timeout);
            }

            Volatile.Write(ref _waiting, 0);
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// As <see cref="Wait(int, CancellationToken)"/>, and also ends when one of the streams of
    /// <paramref name="streams"/> has bytes (or closes); either way those streams were polled, so
    /// <see cref="PeerStreamPoll.ReadReady"/> reads what arrived. Needs <see cref="CanPoll"/>.
    /// </summary>
    public void Wait(int milliseconds, CancellationToken cancellationToken, PeerStreamPoll streams)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_eventFd < 0)
        {
            _eventFd = EventFd(0, EventFdNonBlocking | EventFdCloseOnExec);
            if (_eventFd < 0)
            {
                throw new IOException($"eventfd failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }

        using (cancellationToken.UnsafeRegister(static wake => ((LoopWake)wake!).Set(), this))
        {
            Interlocked.Exchange(ref _waiting, 2);
            var woken = streams.Poll(_eventFd, Volatile.Read(ref *_word) == 0 ? milliseconds : 0);
            Volatile.Write(ref _waiting, 0);
            if (woken)
            {
                // A Set wrote it; reading takes the count back to 0 (it never blocks: non-blocking).
                long count;
                _ = Read(_eventFd, &count, sizeof(long));
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    private static partial int EventFd(uint initial, int flags);

    [LibraryImport("libc", EntryPoint = "read")]
    private static partial nint Read(int descriptor, void* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write")]
    private static partial nint Write(int descriptor, void* buffer, nuint count);

    /// <summary>Closes the eventfd, if any; the loop's thread, once it no longer waits.</summary>
    public void Dispose()
    {
        if (_eventFd >= 0)
        {
            _ = CloseDescriptor(_eventFd);
            _eventFd = -1;
        }
    }

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int CloseDescriptor(int descriptor);

    private long Futex(int* word, int operation, int value, Timespec* timeout) => Syscall(_futex, word, operation, value, timeout, null, 0);

    /// <summary>The futex system call's number on this machine; 0 where it is not used.</summary>
    private static long FutexSyscall() =>
        !OperatingSystem.IsLinux() ? 0 : RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 202,
            Architecture.Arm64 => 98,
            _ => 0,
        };

    [LibraryImport("libc", EntryPoint = "syscall")]
    private static partial long Syscall(long number, int* word, int operation, int value, Timespec* timeout, int* word2, int value3);

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
