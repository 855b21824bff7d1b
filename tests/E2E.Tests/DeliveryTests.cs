using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using DataCluster.Contracts;
using DataCluster.E2E.Tests.Support;
using DataCluster.Testing;
using Xunit;

namespace DataCluster.E2E.Tests;

/// <summary>
/// Push delivery with real agents: an app listener, set as the cluster's appDeliveryUrl, receives
/// every acknowledged event of every partition in offset order across a SIGKILL of a partition
/// leader; what it receives twice is counted.
/// </summary>
public sealed class DeliveryTests(E2EFixture fixture)
{
    private const int Partitions = 8;

    /// <summary>Generous: failover is a few seconds; this only catches delivery that never resumes.</summary>
    private static readonly TimeSpan DeliveryBound = TimeSpan.FromSeconds(90);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_acknowledged_event_reaches_the_app_in_offset_order_across_a_SIGKILL_of_a_partition_leader()
    {
        using var app = AppListener.Start();
        await using var dc = await TestCluster.CreateAsync(fixture, "dl", 3, spec: s =>
        {
            s.Partitions = Partitions;
            s.Agent.AppDeliveryUrl = app.Url;
        });
        var members = dc.Members(3);
        await dc.AgreedRingAsync(members);
        await using var writers = Writers.Start(dc, writers: 2, keysPerWriter: 8, CommitLevels.Quorum);
        await writers.WaitForAcknowledgementsAsync("the writers' first writes are acknowledged");

        var owners = await dc.OwnersAsync(members[0], "key-0-0");
        var leader = owners.Leader!.Id;
        await dc.Cluster.Node.CrashAsync(dc.Namespace, leader);
        Report.Line($"SIGKILLed {leader}, leader of partition {owners.Partition}");
        await dc.AgreedRingAsync(members, null, $"{leader} restarts on its own log and rejoins");
        await writers.WaitForAcknowledgementsAsync("writes are acknowledged after the leader's restart");
        await writers.StopAsync();

        var acknowledged = writers.Checker.Attempts.Where(a => a.Acknowledged).Select(a => (a.Partition, a.Offset)).ToHashSet();
        await Eventually.UntilAsync(() => acknowledged.All(app.Received.ContainsKey), DeliveryBound,
            "the app received every acknowledged event",
            () => $"missing: {string.Join(", ", acknowledged.Where(a => !app.Received.ContainsKey(a)).Take(20))}; batches: {app.Batches.Count}");

        var batches = app.Batches.ToList();
        foreach (var partition in Enumerable.Range(0, Partitions))
        {
            // Offset order: every event arrives for the first time after every smaller offset of its
            // partition did, whatever repeats a new leader sends first.
            var firstSeen = batches.Where(b => b.Partition == partition).SelectMany(b => b.Offsets).Distinct().ToList();
            Assert.Equal(firstSeen.Order(), firstSeen);
            Assert.All(acknowledged.Where(a => a.Partition == partition), a => Assert.Contains(a.Offset, firstSeen));
        }

        var received = batches.Sum(b => b.Offsets.Length);
        var duplicates = received - app.Received.Count;
        Report.Line($"delivery across a leader kill: {acknowledged.Count} acknowledged events, {app.Received.Count} distinct events received in {batches.Count} batches, {duplicates} received twice or more");
    }

    /// <summary>The app: an HttpListener on a free loopback port that answers every batch 200 and records it.</summary>
    private sealed class AppListener : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _loop;

        private AppListener(int port)
        {
            Url = $"http://127.0.0.1:{port}/events/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _loop = Task.Run(LoopAsync);
        }

        public string Url { get; }

        /// <summary>Batches in arrival order.</summary>
        public ConcurrentQueue<Batch> Batches { get; } = new();

        /// <summary>How many times each (partition, offset) arrived.</summary>
        public ConcurrentDictionary<(int Partition, long Offset), int> Received { get; } = new();

        public static AppListener Start()
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            return new AppListener(port);
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

                try
                {
                    using var json = await JsonDocument.ParseAsync(context.Request.InputStream);
                    var root = json.RootElement;
                    var partition = root.GetProperty("partition").GetInt32();
                    var offsets = root.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("offset").GetInt64()).ToArray();
                    Batches.Enqueue(new Batch(root.GetProperty("member").GetString()!, partition, root.GetProperty("epoch").GetInt64(), offsets));
                    foreach (var offset in offsets)
                    {
                        Received.AddOrUpdate((partition, offset), 1, (_, n) => n + 1);
                    }

                    context.Response.StatusCode = 200;
                }
                catch (JsonException)
                {
                    context.Response.StatusCode = 400;
                }

                context.Response.Close();
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
    }

    private sealed record Batch(string Member, int Partition, long Epoch, long[] Offsets);
}
