using System.Diagnostics;

namespace DataCluster.LocalCluster.ControlPlane;

/// <summary>
/// A server process started for tests: output goes to a log file, its pid to a pid file that the
/// run's watchdog reads to kill it if the test process dies without cleaning up.
/// Not thread-safe; one owner drives it.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly string _pidFile;
    private readonly Task _pumps;

    private ChildProcess(string name, Process process, StreamWriter log, string pidFile, Task pumps)
    {
        Name = name;
        _process = process;
        _log = log;
        _pidFile = pidFile;
        _pumps = pumps;
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code once exited (128 + the signal number when a signal ended it), else null.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public string LogFile { get; private init; } = "";

    /// <summary>Starts <paramref name="executable"/>; its pid file and log live in <paramref name="runDirectory"/>.</summary>
    /// <param name="inheritEnvironment">
    /// False starts the process with <paramref name="environment"/> only, as a container starts
    /// with the variables of its spec only and none of the host's.
    /// </param>
    public static ChildProcess Start(
        string name,
        string executable,
        IEnumerable<string> arguments,
        string runDirectory,
        IReadOnlyDictionary<string, string>? environment = null,
        bool inheritEnvironment = true)
    {
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = runDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        if (!inheritEnvironment)
        {
            info.Environment.Clear();
        }

        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                info.Environment[key] = value;
            }
        }

        var logFile = Path.Combine(runDirectory, $"{name}.log");
        var log = new StreamWriter(new FileStream(logFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {executable}.");
        var pidFile = Path.Combine(runDirectory, $"{name}.pid");
        File.WriteAllText(pidFile, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var pumps = Task.WhenAll(Pump(process.StandardOutput, log), Pump(process.StandardError, log));
        return new ChildProcess(name, process, log, pidFile, pumps) { LogFile = logFile };
    }

    /// <summary>The last lines of the log, for error messages.</summary>
    public string Tail(int lines = 30)
    {
        try
        {
            using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n');
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException e)
        {
            return $"(log unreadable: {e.Message})";
        }
    }

    /// <summary>SIGKILL: the process gets no chance to clean up (a crash).</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await WaitForExitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
    }

    /// <summary>SIGTERM, then SIGKILL if it has not exited within <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (!_process.HasExited)
        {
            _ = ProcessSignals.Terminate(_process.Id);
            if (!await WaitForExitAsync(grace).ConfigureAwait(false))
            {
                await KillAsync().ConfigureAwait(false);
            }
        }

        await WaitForExitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        try
        {
            await _pumps.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A grandchild may still hold the pipe; the log is best effort.
        }

        await _log.DisposeAsync().ConfigureAwait(false);
        if (File.Exists(_pidFile))
        {
            File.Delete(_pidFile);
        }

        _process.Dispose();
    }

    /// <summary>Completes when the process has exited (however it ended).</summary>
    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    private async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task Pump(StreamReader from, StreamWriter to)
    {
        var buffer = new char[8192];
        int read;
        while ((read = await from.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            lock (to)
            {
                to.Write(buffer, 0, read);
            }
        }
    }
}
