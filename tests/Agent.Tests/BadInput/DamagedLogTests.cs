using System.Buffers.Binary;
using System.Diagnostics.Metrics;
using System.Text;
using DataCluster.Agent.DataPlane;
using DataCluster.Agent.Tests.DataPlane;
using DataCluster.Replication;
using DataCluster.Testing;
using Xunit;

namespace DataCluster.Agent.Tests.BadInput;

/// <summary>
/// A record whose CRC no longer matches, in the tail of a stopped member's partition log. What
/// the storage does with it on open is proven in <c>tests/Storage.Tests/RecoveryTests.cs</c>
/// (<c>A_flipped_byte_anywhere_in_the_last_record_cuts_that_record_and_reports_it</c>, and the
/// refusals of damage the index proves durable); here the agent restarts on the damaged log:
/// the cut is counted, the intact prefix is served, and a replica gets the rest back from its leader.
/// </summary>
public sealed class DamagedLogTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_restarted_member_serves_the_intact_prefix_of_a_log_whose_last_record_fails_its_CRC()
    {
        using var cuts = new RecoveryCuts();
        var directory = Directory.CreateTempSubdirectory("agent-damaged-").FullName;
        try
        {
            List<StoredEvent> written;
            int partition;
            await using (var agent = await SingleMemberAgent.StartAsync(directory))
            {
                written = await agent.WriteSomeAsync(10);
                partition = agent.PartitionOf(written[^1].Key);
            }

            var damaged = written[^1];
            CorruptCrcOfLastRecord(Path.Combine(directory, "data"), partition);

            await using var restarted = await SingleMemberAgent.StartAsync(directory);
            // A one-replica partition has no other copy: the damaged record is gone, and no
            // garbage is served in its place; every record before it is intact.
            await Eventually.UntilAsync(async () =>
            {
                using var response = await restarted.Http.GetAsync($"/v1/partitions/{partition}/events", Ct);
                return response.IsSuccessStatusCode;
            }, Deadline, "the restarted member serves the partition");
            await restarted.AssertStoredExactlyAsync([.. written.Where(e => e != damaged)]);
            // At least: tests of other classes may restart members at the same time.
            Assert.True(cuts.BadCrc >= 1, "the cut is counted in datacluster.storage.recovery.cuts{reason=BadCrc}");
            var next = await restarted.WriteAsync(damaged.Key, "after the cut");
            Assert.True(next > written.Where(e => restarted.PartitionOf(e.Key) == partition && e != damaged).Max(e => e.Offset));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_follower_whose_last_record_fails_its_CRC_cuts_it_on_restart_and_fetches_it_again_from_the_leader()
    {
        using var cuts = new RecoveryCuts();
        await using var cluster = new InProcessCluster(3, partitions: 4);
        cluster.Assign();
        const int partition = 1;
        var leader = cluster.LeaderOf(partition);
        var follower = cluster.Assignment.ReplicasOf(partition).ToArray().First(id => id != leader);
        var bodies = Enumerable.Range(0, 10).Select(i => $"event-{i}").ToList();
        foreach (var body in bodies)
        {
            await WriteAcknowledgedAsync(cluster, partition, body);
        }

        await Eventually.UntilAsync(async () => (await BodiesAsync(cluster[follower], partition)).Count == bodies.Count, Deadline, $"{follower} has committed all events");

        await cluster.StopAsync(follower);
        CorruptCrcOfLastRecord(DataDirectoryOf(cluster, follower), partition);
        cluster.Start(follower);

        await Eventually.UntilAsync(() => cuts.BadCrc >= 1, Deadline, "the restarted follower's recovery cuts the damaged record");
        await Eventually.UntilAsync(async () => (await BodiesAsync(cluster[follower], partition)).SequenceEqual(bodies), Deadline,
            $"{follower} holds every event again, in order", () => $"it holds {string.Join(", ", BodiesAsync(cluster[follower], partition).Result)}; running {cluster[follower].IsRunning}, ended: {cluster.Ended(follower)}; follower {cluster[follower].StatusOf(partition)}; leader {cluster[leader].StatusOf(partition)}");
        Assert.Equal(bodies, await BodiesAsync(cluster[leader], partition));
    }

    /// <summary>A member's data directory: InProcessCluster keeps its root private, each member in a directory named by its id.</summary>
    private static string DataDirectoryOf(InProcessCluster cluster, string member)
    {
        var root = (string)typeof(InProcessCluster).GetField("_root", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(cluster)!;
        return Path.Combine(root, member);
    }

    private static async Task WriteAcknowledgedAsync(InProcessCluster cluster, int partition, string body)
    {
        var request = new WriteRequest(partition, "server-1"u8.ToArray(), "text/plain", Encoding.UTF8.GetBytes(body), CommitLevel.All, null, -1);
        WriteOutcome? outcome = null;
        await Eventually.UntilAsync(async () => (outcome = await cluster[cluster.LeaderOf(partition)].WriteAsync(request, Ct)).Status == WriteStatus.Acknowledged,
            Deadline, $"{body} is acknowledged by every replica", () => $"last outcome {outcome}");
    }

    private static async Task<List<string>> BodiesAsync(DataCluster.Agent.DataPlane.DataPlane member, int partition) =>
        (await member.ReadAsync(partition, -1, 1000, null, Ct))?.Records.Select(r => Encoding.UTF8.GetString(r.Body.Span)).ToList() ?? [];

    /// <summary>
    /// Flips the stored CRC of the last record of the partition's last segment (record layout in
    /// storage/README.md: a 32-byte header, then records of length (4 bytes), CRC (4 bytes), ...).
    /// </summary>
    private static void CorruptCrcOfLastRecord(string dataDirectory, int partition)
    {
        var segment = Directory.GetFiles(Path.Combine(dataDirectory, "partitions", partition.ToString(System.Globalization.CultureInfo.InvariantCulture)), "*.log").Order(StringComparer.Ordinal).Last();
        var bytes = File.ReadAllBytes(segment);
        var position = 32;
        var last = -1;
        while (position + 4 <= bytes.Length && BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(position)) is var length and > 0)
        {
            last = position;
            position += 4 + (int)length;
        }

        Assert.True(last > 32, $"{segment} holds fewer than two records");
        bytes[last + 4] ^= 0xFF;
        File.WriteAllBytes(segment, bytes);
    }

    /// <summary>Counts the storage's <c>datacluster.storage.recovery.cuts</c> for a bad CRC while it lives.</summary>
    private sealed class RecoveryCuts : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _badCrc;

        public RecoveryCuts()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "DataCluster.Storage" && instrument.Name == "datacluster.storage.recovery.cuts")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "reason" && Equals(tag.Value, "BadCrc"))
                    {
                        Interlocked.Add(ref _badCrc, value);
                    }
                }
            });
            _listener.Start();
        }

        public long BadCrc => Interlocked.Read(ref _badCrc);

        public void Dispose() => _listener.Dispose();
    }
}
