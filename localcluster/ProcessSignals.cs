using System.Runtime.InteropServices;

namespace DataCluster.LocalCluster;

/// <summary>
/// POSIX signals to a process by pid. <see cref="System.Diagnostics.Process"/> can only kill;
/// freezing a process (SIGSTOP) and letting it go on (SIGCONT) is how the tests stand in for a
/// machine or an API server that stops answering without closing its connections.
/// </summary>
public static partial class ProcessSignals
{
    private const int SigTerm = 15;
    private const int SigCont = 18;
    private const int SigStop = 19;

    /// <summary>Asks the process to stop (SIGTERM). False when there is no such process.</summary>
    public static bool Terminate(int pid) => Kill(pid, SigTerm) == 0;

    /// <summary>Freezes the process (SIGSTOP): it keeps its sockets open but runs no code until thawed.</summary>
    /// <exception cref="InvalidOperationException">There is no such process.</exception>
    public static void Freeze(int pid) => Send(pid, SigStop, "freeze");

    /// <summary>Lets a frozen process run again (SIGCONT).</summary>
    /// <exception cref="InvalidOperationException">There is no such process.</exception>
    public static void Thaw(int pid) => Send(pid, SigCont, "thaw");

    private static void Send(int pid, int signal, string what)
    {
        if (Kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"Could not {what} process {pid}: errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
