using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace DataCluster.E2E.Tests.Support;

/// <summary>One batch as an app received it.</summary>
/// <param name="Arrival">Its place in the arrival order over every app (0 first).</param>
/// <param name="At">When it arrived, as a <see cref="Stopwatch"/> timestamp.</param>
/// <param name="App">The member whose app it reached (the pod name in its URL path).</param>
/// <param name="Member">The delivering member the body names.</param>
/// <param name="Partition">The partition.</param>
/// <param name="Epoch">The delivering leader's partition epoch.</param>
/// <param name="NextOffset">The consumed offset once the batch is taken.</param>
/// <param name="Offsets">The events' offsets, in body order.</param>
internal sealed record DeliveredBatch(long Arrival, long At, string App, string Member, int Partition, long Epoch, long NextOffset, long[] Offsets);

/// <summary>
/// The apps of a DataCluster's members, each as a push-delivery endpoint: one HttpListener on a
/// free loopback port, and a path per member. <see cref="Url"/> carries <c>$(POD_NAME)</c>, which
/// the pod's environment expands (Kubernetes' dependent-variable rule, POD_NAME being defined
/// before the delivery URL), so every agent delivers to its own member's app, as it would to the
/// app container of its pod. An app that was stopped answers 503, as a terminating pod's app
/// that stopped listening would fail the agent's request. Requests are taken one at a time, so
/// the arrival order is the order the apps answered in.
/// </summary>
internal sealed class DeliveryApps : IDisposable
{
    private const string PathPrefix = "/apps/";
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly ConcurrentDictionary<string, bool> _stopped = new(StringComparer.Ordinal);
    private long _arrivals;
    private long _refused;

    private DeliveryApps(int port)
    {
        var root = $"http://127.0.0.1:{port}{PathPrefix}";
        Url = root + "$(POD_NAME)/";
        _listener.Prefixes.Add(root);
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>The spec's appDeliveryUrl: one path per pod.</summary>
    public string Url { get; }

    /// <summary>Batches taken (answered 200), in arrival order.</summary>
    public ConcurrentQueue<DeliveredBatch> Batches { get; } = new();

    /// <summary>How many times each (partition, offset) was taken.</summary>
    public ConcurrentDictionary<(int Partition, long Offset), int> Received { get; } = new();

    /// <summary>Batches a stopped app refused.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    public static DeliveryApps Start()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new DeliveryApps(port);
    }

    /// <summary>Stops <paramref name="member"/>'s app: from now on it refuses every batch.</summary>
    public void Stop(string member) => _stopped[member] = true;

    public bool IsStopped(string member) => _stopped.ContainsKey(member);

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            var path = context.Request.Url?.AbsolutePath ?? "";
            var app = path.StartsWith(PathPrefix, StringComparison.Ordinal) ? path[PathPrefix.Length..].TrimEnd('/') : "";
            if (_stopped.ContainsKey(app))
            {
                Interlocked.Increment(ref _refused);
                context.Response.StatusCode = 503;
                context.Response.Close();
                continue;
            }

            try
            {
                using var json = await JsonDocument.ParseAsync(context.Request.InputStream);
                var root = json.RootElement;
                var partition = root.GetProperty("partition").GetInt32();
                var offsets = root.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("offset").GetInt64()).ToArray();
                Batches.Enqueue(new DeliveredBatch(
                    _arrivals++, Stopwatch.GetTimestamp(), app, root.GetProperty("member").GetString()!, partition,
                    root.GetProperty("epoch").GetInt64(), root.GetProperty("nextOffset").GetInt64(), offsets));
                foreach (var offset in offsets)
                {
                    Received.AddOrUpdate((partition, offset), 1, (_, n) => n + 1);
                }

                context.Response.StatusCode = 200;
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                context.Response.StatusCode = 400;
            }

            context.Response.Close();
        }
    }
}
