using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DataCluster.Contracts;
using DataCluster.E2E.Tests.Support;
using DataCluster.Testing;
using DataCluster.Testing.Checking;
using DataCluster.Testing.Telemetry;
using Xunit;

namespace DataCluster.E2E.Tests;

/// <summary>
/// Stand-ins for a down replica (spec.replication.substitutes, on by default): writes at ALL keep
/// being acknowledged while a follower is SIGKILLed, and once it is back the stand-ins hand its
/// records over and drop their copies; the write checker runs throughout.
/// </summary>
public sealed class SubstituteTests(E2EFixture fixture)
{
    /// <summary>Few partitions keep reading every copy quick; with four members each has a member outside its set.</summary>
    private const int Partitions = 16;

    /// <summary>
    /// A leader counts a follower down after DownAfterMs (1 s) of silence and then puts a stand-in
    /// in place; writes waiting meanwhile may time out or be refused. Acknowledgements are counted
    /// from this long after the kill.
    /// </summary>
    private static readonly TimeSpan DownDetection = TimeSpan.FromSeconds(3);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task All_writes_are_acknowledged_through_stand_ins_while_a_follower_is_down_and_handed_over_when_it_is_back()
    {
        // A lease long enough that the ring keeps the killed member through its restart (the
        // local node restarts it after 10 s): its partitions keep it as a replica, so without
        // stand-ins ALL could not be met until it is back (see WriteTests' ALL test).
        await using var dc = await TestCluster.CreateAsync(fixture, "wsub", 4, spec: s =>
        {
            s.Partitions = Partitions;
            s.Replication.CommitLevel = CommitLevels.All;
            s.Agent.LeaseDurationSeconds = 30;
        });
        var members = dc.Members(4);
        var ring = (await dc.AgreedRingAsync(members)).Values.First();
        var assignment = await dc.AssignmentAsync() ?? throw new InvalidOperationException("no assignment is published");

        // A member that follows partitions and leads as few as possible (none when the assignment
        // allows it), and is not the cluster leader, whose Lease would hold up assignments.
        int Leads(string m) => Enumerable.Range(0, Partitions).Count(p => assignment.LeaderOf(p) == m);
        var victim = members.Where(m => m != ring.Leader).OrderBy(Leads).ThenBy(m => m, StringComparer.Ordinal).First();
        var follows = Enumerable.Range(0, Partitions).Where(p => assignment.ReplicasOf(p).Contains(victim) && assignment.LeaderOf(p) != victim).ToHashSet();
        Assert.NotEmpty(follows);

        await using var writers = Writers.Start(dc, writers: 4, keysPerWriter: 8, CommitLevels.All);
        await writers.WaitForAcknowledgementsAsync("the writers' first writes at ALL are acknowledged");

        var pid = await dc.Cluster.Node.CrashAsync(dc.Namespace, victim);
        var clock = Stopwatch.StartNew();
        await Task.Delay(DownDetection, Ct);
        var outageStart = writers.Checker.Attempts.Count;

        // While it is down: leaders show stand-ins for it, and stand-ins hold its copies.
        var standIns = await Eventually.UntilAsync(
            async () => await StandInsForAsync(dc, members.Where(m => m != victim), victim) is { Count: > 0 } found ? found : null,
            TimeSpan.FromSeconds(30),
            $"a partition leader shows a stand-in for {victim} in /v1/assignments",
            dc.Diagnostics);
        var ranDown = !dc.ProcessOf(victim).Running;

        // The local node restarts it; from then on it is "back".
        await Eventually.UntilAsync(() => dc.ProcessOf(victim).Running, TestCluster.Patience, $"{victim} runs again", dc.Diagnostics);
        var backAt = clock.Elapsed;
        var outageEnd = writers.Checker.Attempts.Count;
        var commitAtBack = await CommitOffsetsAsync(dc, assignment, follows);

        // Hand-over: every partition's copy on the victim reaches the commit point its leader had
        // when the victim came back, and no member holds or lists a stand-in copy any more.
        await Eventually.UntilAsync(
            async () => await HandedOverAsync(dc, members, victim, commitAtBack),
            TestCluster.Patience,
            $"{victim} holds every record acknowledged while it was down and no member holds a stand-in copy",
            dc.Diagnostics,
            TimeSpan.FromMilliseconds(100));
        var handOver = clock.Elapsed - backAt;
        await writers.WaitForAcknowledgementsAsync("writes at ALL are acknowledged after the hand-over");
        await writers.StopAsync();

        var during = writers.Checker.Attempts.Skip(outageStart).Take(outageEnd - outageStart).ToList();
        var ackedDuring = during.Where(a => a.Acknowledged).ToList();
        var followedWithKeys = follows.Where(p => during.Any(a => a.Partition == p)).ToList();
        var ackedFollowed = followedWithKeys.Where(p => ackedDuring.Any(a => a.Partition == p)).ToList();
        var result = await CommittedLogs.CheckAsync(dc, writers.Checker);
        var counters = await SubstituteCountersAsync(dc, members);

        Report.Line(string.Create(CultureInfo.InvariantCulture,
            $"ALL with stand-ins, 4 members, factor 3: {victim} (pid {pid}; follows {follows.Count} partitions, leads {Leads(victim)}) SIGKILLed; "
            + $"{ackedDuring.Count} of {during.Count} writes acknowledged from {DownDetection.TotalSeconds:0} s after the kill until it ran again {backAt.TotalSeconds:0.0} s after the kill, "
            + $"in {ackedFollowed.Count} of the {followedWithKeys.Count} written partitions it follows; stand-ins seen: {string.Join(", ", standIns.Take(4))}; "
            + $"hand-over (member running again -> it holds every record committed meanwhile and no stand-in copy is left): {handOver.TotalSeconds:0.0} s; "
            + $"stand-ins put in place {counters.Started}, copies released {counters.Released}; {result}; refusals: {writers.Refusals()}"));

        Assert.True(ranDown, $"{victim} was already running again when the stand-ins were first seen: the outage was too short to show them");
        Assert.NotEmpty(followedWithKeys);
        Assert.Equal(followedWithKeys, ackedFollowed);
        Assert.True(result.Acknowledged > 0, "no write was acknowledged");
        Assert.True(result.Ok, result.ToString());
        Assert.True(counters.Started >= 1 && counters.Released >= 1, $"counters: {counters}");
        Assert.Equal(0, counters.Held);
        Assert.Equal(assignment.Epoch, (await dc.AssignmentAsync())?.Epoch);
    }

    /// <summary>"partition p: stand-in for victim" for every stand-in the members' /v1/assignments list for <paramref name="victim"/>.</summary>
    private static async Task<List<string>> StandInsForAsync(TestCluster dc, IEnumerable<string> members, string victim)
    {
        var found = new List<string>();
        foreach (var member in members)
        {
            using var document = await AssignmentsAsync(dc, member);
            foreach (var partition in document.RootElement.GetProperty("partitions").EnumerateArray())
            {
                foreach (var standIn in partition.GetProperty("substitutes").EnumerateArray())
                {
                    if (standIn.GetProperty("standsInFor").GetString() == victim)
                    {
                        found.Add($"p{partition.GetProperty("partition").GetInt32()}: {standIn.GetProperty("member").GetString()}");
                    }
                }
            }
        }

        return found;
    }

    /// <summary>The commit offset each partition's leader reports now.</summary>
    private static async Task<Dictionary<int, long>> CommitOffsetsAsync(TestCluster dc, Ring.Assignment assignment, IEnumerable<int> partitions)
    {
        var offsets = new Dictionary<int, long>();
        foreach (var p in partitions)
        {
            using var document = await AssignmentsAsync(dc, assignment.LeaderOf(p)!);
            offsets[p] = StatusOf(document, p)?.GetProperty("commitOffset").GetInt64() ?? 0;
        }

        return offsets;
    }

    private static async Task<bool> HandedOverAsync(TestCluster dc, IReadOnlyList<string> members, string victim, Dictionary<int, long> commitAtBack)
    {
        foreach (var member in members)
        {
            using var document = await AssignmentsAsync(dc, member);
            foreach (var partition in document.RootElement.GetProperty("partitions").EnumerateArray())
            {
                if (partition.GetProperty("state").GetString() == "substitute" || partition.GetProperty("substitutes").GetArrayLength() > 0)
                {
                    return false;
                }
            }

            if (member == victim)
            {
                foreach (var (p, commit) in commitAtBack)
                {
                    if ((StatusOf(document, p)?.GetProperty("commitOffset").GetInt64() ?? -1) < commit)
                    {
                        return false;
                    }
                }
            }
        }

        return true;
    }

    private static JsonElement? StatusOf(JsonDocument document, int partition)
    {
        foreach (var status in document.RootElement.GetProperty("partitions").EnumerateArray())
        {
            if (status.GetProperty("partition").GetInt32() == partition)
            {
                return status;
            }
        }

        return null;
    }

    private static async Task<JsonDocument> AssignmentsAsync(TestCluster dc, string member)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        return JsonDocument.Parse(await http.GetStringAsync(new Uri($"http://{dc.AddressOf(member)}:{AgentPorts.Client}/v1/assignments"), Ct));
    }

    /// <summary>The stand-in metrics summed over the members.</summary>
    private static async Task<(double Started, double Released, double Held)> SubstituteCountersAsync(TestCluster dc, IReadOnlyList<string> members)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        double started = 0, released = 0, held = 0;
        foreach (var member in members)
        {
            var families = PrometheusText.Parse(await http.GetStringAsync(new Uri($"http://{dc.AddressOf(member)}:{AgentPorts.Client}/metrics"), Ct));
            started += Sum(families, "datacluster_agent_substitutions_total");
            released += Sum(families, "datacluster_agent_substitute_releases_total");
            held += Sum(families, "datacluster_agent_substitute_partitions");
        }

        return (started, released, held);
    }

    private static double Sum(IReadOnlyDictionary<string, PrometheusFamily> families, string name) =>
        families.TryGetValue(name, out var family) ? family.Samples.Sum(s => s.Value) : 0;
}
