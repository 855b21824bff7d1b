using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DataCluster.Agent.DataPlane;

/// <summary>
/// The replication loop's wake-up: any thread sets it, the loop alone resets it and waits on it.
/// On Linux (x64 and arm64) it is one futex word: a <see cref="Set"/> while the loop runs costs
/// one atomic exchange, and one <c>FUTEX_WAKE</c> when the loop sleeps. A
/// <see cref="ManualResetEventSlim"/> goes through the runtime's wait subsystem instead, which
/// under Native AOT on Linux serialises every blocking wait and wake-up of the process (the
/// thread pool's included) on one spinning lock; at one client that lock was half of an
/// agent's yields of its core (docs/performance.md). Elsewhere it is that event.
/// </summary>
internal sealed unsafe partial class LoopWake
{
    private const int FutexWaitPrivate = 0 | 128;
    private const int FutexWakePrivate = 1 | 128;

    private readonly long _futex = FutexSyscall();

    // The futex word: the kernel keys a futex by address, so it lives in an array the garbage
    // collector never moves, and that array lives as long as anything can still set it.
    private readonly int[] _pinned = GC.AllocateArray<int>(1, pinned: true);
    private readonly int* _word;
    private readonly ManualResetEventSlim? _event;

    // 1 while the loop is in (or about to enter) FUTEX_WAIT: only then does Set make the system call.
    private int _waiting;

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
        if (Interlocked.Exchange(ref *_word, 1) == 0 && Volatile.Read(ref _waiting) == 1)
        {
            Futex(_word, FutexWakePrivate, 1, null);
        }
    }

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
