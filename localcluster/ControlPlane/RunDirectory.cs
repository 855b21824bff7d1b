using System.Diagnostics;
using System.Globalization;

namespace DataCluster.LocalCluster.ControlPlane;

/// <summary>
/// A scratch directory for one control plane, plus a watchdog: a small shell loop that outlives
/// the test process and, once that process is gone, kills every child whose pid file is still in
/// the directory and removes it. So a crashed or killed test run leaves no servers behind.
/// Directories of earlier runs whose owner died are cleaned up on the next start.
/// </summary>
public sealed class RunDirectory : IDisposable
{
    private const string Prefix = "datacluster-envtest-";

    private RunDirectory(string path, string? fastPath)
    {
        Path = path;
        FastPath = fastPath;
    }

    public string Path { get; }

    /// <summary>A tmpfs directory for etcd's data when /dev/shm exists (fsync is free there).</summary>
    public string? FastPath { get; }

    /// <summary>Creates the directory; its watchdog cleans up when <paramref name="ownerPid"/> (default: this process) exits.</summary>
    public static RunDirectory Create(int? ownerPid = null)
    {
        ReapAbandoned();
        var owner = ownerPid ?? Environment.ProcessId;
        var id = $"{Prefix}{Environment.ProcessId}-{Guid.NewGuid():N}"[..(Prefix.Length + 20)];
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), id);
        Directory.CreateDirectory(path);
        string? fast = null;
        if (Directory.Exists("/dev/shm"))
        {
            fast = System.IO.Path.Combine("/dev/shm", id);
            Directory.CreateDirectory(fast);
        }

        System.IO.File.WriteAllText(System.IO.Path.Combine(path, "owner.pid"), owner.ToString(CultureInfo.InvariantCulture));
        StartWatchdog(owner, path, fast);
        return new RunDirectory(path, fast);
    }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        TryDelete(Path);
        if (FastPath is not null)
        {
            TryDelete(FastPath);
        }
    }

    private static void StartWatchdog(int owner, string path, string? fast)
    {
        // Polls once a second: cheap, and a leaked server lives at most that long after the owner.
        const string Script = """
            owner="$1"; dir="$2"; fast="$3"
            while kill -0 "$owner" 2>/dev/null; do sleep 1; done
            for f in "$dir"/*.pid; do [ -f "$f" ] && [ "$(basename "$f")" != owner.pid ] && kill -9 "$(cat "$f")" 2>/dev/null; done
            rm -rf "$dir" ${fast:+"$fast"}
            """;
        var info = new ProcessStartInfo("/bin/bash")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Script);
        info.ArgumentList.Add("watchdog");
        info.ArgumentList.Add(owner.ToString(CultureInfo.InvariantCulture));
        info.ArgumentList.Add(path);
        info.ArgumentList.Add(fast ?? "");
        using var watchdog = Process.Start(info);
    }

    /// <summary>Kills the servers of earlier runs whose test process is gone and removes their files.</summary>
    private static void ReapAbandoned()
    {
        foreach (var dir in Directory.GetDirectories(System.IO.Path.GetTempPath(), Prefix + "*"))
        {
            var ownerFile = System.IO.Path.Combine(dir, "owner.pid");
            if (!System.IO.File.Exists(ownerFile)
                || !int.TryParse(System.IO.File.ReadAllText(ownerFile), CultureInfo.InvariantCulture, out var owner)
                || IsAlive(owner))
            {
                continue;
            }

            foreach (var pidFile in Directory.GetFiles(dir, "*.pid"))
            {
                if (System.IO.Path.GetFileName(pidFile) != "owner.pid"
                    && int.TryParse(System.IO.File.ReadAllText(pidFile), CultureInfo.InvariantCulture, out var pid)
                    && IsAlive(pid))
                {
                    try
                    {
                        using var p = Process.GetProcessById(pid);
                        p.Kill();
                    }
                    catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
                    {
                        // Already gone.
                    }
                }
            }

            TryDelete(dir);
            TryDelete(System.IO.Path.Combine("/dev/shm", System.IO.Path.GetFileName(dir)));
        }
    }

    private static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid}");

    private static void TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
            // A child may still be writing; the watchdog removes it later.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
