using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using DataCluster.LocalCluster;

namespace DataCluster.Writes.Bench;

/// <summary>
/// A three-member etcd on loopback, the throughput peer for writes: each member fsyncs its
/// write-ahead log on every commit (etcd's default, the same policy as the agents' default), and
/// clients put through etcd's JSON gateway (<c>POST /v3/kv/put</c>) to the leader.
/// </summary>
public sealed class EtcdCluster : IAsyncDisposable
{
    private readonly List<Process> _members = [];
    private readonly string _directory;
    private readonly HttpClient _http;

    private EtcdCluster(string directory, HttpClient http, IReadOnlyList<Uri> clientUrls)
    {
        _directory = directory;
        _http = http;
        ClientUrls = clientUrls;
    }

    /// <summary>Each member's client URL.</summary>
    public IReadOnlyList<Uri> ClientUrls { get; }

    /// <summary>The leader's client URL, once known.</summary>
    public Uri? Leader { get; private set; }

    /// <summary>Starts three members from <paramref name="etcd"/> in a fresh directory under <paramref name="parent"/> and waits for a leader.</summary>
    public static async Task<EtcdCluster> StartAsync(string etcd, string parent, int connections, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(parent, "etcd-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        var clientPorts = Enumerable.Range(0, 3).Select(_ => FreePort.OnLoopback()).ToArray();
        var peerPorts = Enumerable.Range(0, 3).Select(_ => FreePort.OnLoopback()).ToArray();
        var initial = string.Join(',', Enumerable.Range(0, 3).Select(i => $"m{i}=http://127.0.0.1:{peerPorts[i]}"));
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            Timeout = TimeSpan.FromSeconds(10),
        };
        var cluster = new EtcdCluster(directory, http, [.. clientPorts.Select(p => new Uri($"http://127.0.0.1:{p}"))]);
        for (var i = 0; i < 3; i++)
        {
            var info = new ProcessStartInfo(etcd)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[]
            {
                "--name", $"m{i}",
                "--data-dir", Path.Combine(directory, $"m{i}"),
                "--listen-client-urls", $"http://127.0.0.1:{clientPorts[i]}",
                "--advertise-client-urls", $"http://127.0.0.1:{clientPorts[i]}",
                "--listen-peer-urls", $"http://127.0.0.1:{peerPorts[i]}",
                "--initial-advertise-peer-urls", $"http://127.0.0.1:{peerPorts[i]}",
                "--initial-cluster", initial,
                "--initial-cluster-state", "new",
                "--initial-cluster-token", "bench",
                "--log-level", "error",
            })
            {
                info.ArgumentList.Add(argument);
            }

            var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {etcd}");
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            cluster._members.Add(process);
        }

        await cluster.WaitForLeaderAsync(cancellationToken).ConfigureAwait(false);
        return cluster;
    }

    /// <summary>Puts <paramref name="value"/> under <paramref name="key"/> on the leader; true when etcd answered 200.</summary>
    public async Task<bool> PutAsync(string key, byte[] value, CancellationToken cancellationToken)
    {
        var body = $"{{\"key\":\"{Convert.ToBase64String(Encoding.UTF8.GetBytes(key))}\",\"value\":\"{Convert.ToBase64String(value)}\"}}";
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(new Uri(Leader!, "/v3/kv/put"), content, cancellationToken).ConfigureAwait(false);
        return response.StatusCode == HttpStatusCode.OK;
    }

    /// <summary>Resident set size of each member, in bytes.</summary>
    public IReadOnlyList<long> ResidentBytes() => [.. _members.Select(Rss.Of)];

    /// <summary>CPU seconds (user + system) the members have used so far, together.</summary>
    public double CpuSeconds() => _members.Sum(m => CpuTime.Of(m.Id));

    private async Task WaitForLeaderAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            foreach (var url in ClientUrls)
            {
                try
                {
                    using var content = new StringContent("{}", Encoding.UTF8, "application/json");
                    using var response = await _http.PostAsync(new Uri(url, "/v3/maintenance/status"), content, cancellationToken).ConfigureAwait(false);
                    if (!response.IsSuccessStatusCode)
                    {
                        continue;
                    }

                    using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
                    var self = json.RootElement.GetProperty("header").GetProperty("member_id").GetString();
                    if (json.RootElement.TryGetProperty("leader", out var leader) && leader.GetString() == self)
                    {
                        Leader = url;
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                }
            }

            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException("the etcd members elected no leader within 30 s");
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await BenchProcesses.StopAsync(_members, _directory).ConfigureAwait(false);
    }
}

/// <summary>Ends the processes of a system under test and removes their data.</summary>
public static class BenchProcesses
{
    /// <summary>Kills each of <paramref name="members"/> (with its children) and waits for it, then deletes <paramref name="directory"/>.</summary>
    public static async Task StopAsync(IEnumerable<Process> members, string directory)
    {
        foreach (var member in members)
        {
            try
            {
                member.Kill(entireProcessTree: true);
                await member.WaitForExitAsync().ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            member.Dispose();
        }

        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open; the next run's directory is a fresh one.
        }
    }
}

/// <summary>Resident set size from /proc.</summary>
public static class Rss
{
    /// <summary>VmRSS of a process in bytes, or 0 when it has exited.</summary>
    public static long Of(Process process)
    {
        ArgumentNullException.ThrowIfNull(process);
        return Of(process.Id);
    }

    /// <summary>VmRSS of a process id in bytes, or 0 when it is gone.</summary>
    public static long Of(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var kb = line["VmRSS:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kb, System.Globalization.CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }
}

/// <summary>CPU time a process has used, from /proc.</summary>
public static class CpuTime
{
    // /proc/PID/stat counts in clock ticks; USER_HZ is 100 on Linux.
    private const double TicksPerSecond = 100;

    /// <summary>User plus system CPU seconds of a process id, or 0 when it is gone.</summary>
    public static double Of(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name in parentheses may hold spaces: fields are counted after its closing parenthesis.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // After the name: state is field 3, utime field 14 and stime field 15 of the whole line.
            var user = long.Parse(fields[14 - 3], System.Globalization.CultureInfo.InvariantCulture);
            var system = long.Parse(fields[15 - 3], System.Globalization.CultureInfo.InvariantCulture);
            return (user + system) / TicksPerSecond;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
