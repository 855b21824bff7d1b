using System.Diagnostics;
using System.Globalization;
using DataCluster.LocalCluster;

namespace DataCluster.Demo;

/// <summary>The ring, the owners of a few keys, and the failover after a member is killed.</summary>
internal sealed partial class Demo
{
    /// <summary>Entities a service might route by: any string is a key.</summary>
    private static readonly string[] Keys = ["server-17", "account-42", "device-7", "alert-99", "order-1001"];

    /// <summary>
    /// Kills the leader of <paramref name="key"/>'s partition, measures how long until a write
    /// to that partition is acknowledged again, and shows the new epoch without the victim.
    /// </summary>
    private async Task KillPartitionLeaderAsync(
        Cluster cluster, Kubectl kubectl, IReadOnlyList<string> members, AgentRing before, IReadOnlyList<AgentOwners> ownersBefore,
        AgentOwners key, List<string> written, CancellationToken stop)
    {
        var victim = key.Leader?.Id ?? throw new DemoException($"Partition {key.Partition} has no leader.");
        var survivors = members.Where(m => m != victim).ToList();
        _output.Step($"Killing {victim}, leader of partition {key.Partition}, with SIGKILL (the pod stays; the local node restarts it after the 10 s CrashLoopBackOff)");
        var pid = await cluster.Node.CrashAsync(Namespace, victim);
        var clock = Stopwatch.StartNew();
        _output.Line($"Killed pid {pid}. Its member Lease is no longer renewed; once it expires (6 s) the leader agent");
        _output.Line($"re-assigns its partitions, and the new leader of partition {key.Partition} syncs from the other replicas.");
        _output.Line($"Meanwhile writing to {key.Key} through {survivors[0]} until a write is acknowledged again ...");
        _output.Flush();
        // Watched from the start: on a slow machine the write may take longer than the victim's
        // restart delay, and once it is back the ring without it is no longer served.
        var ringWithoutVictim = RingWithoutVictimAsync();
        var failover = await WriteUntilAcknowledgedAsync(cluster, survivors[0], key.Key, written, stop);
        _output.Line(string.Create(CultureInfo.InvariantCulture,
            $"First acknowledged write on partition {key.Partition} {clock.Elapsed.TotalSeconds:0.0} s after the kill: offset {failover.Offset}, partition epoch {failover.Epoch}."));
        var (after, seconds) = await ringWithoutVictim;
        _output.Line(string.Create(CultureInfo.InvariantCulture,
            $"New epoch {after.Epoch} (was {before.Epoch}) served by {string.Join(" and ", survivors)} {seconds:0.0} s after the kill; {victim} holds nothing."));
        _output.Line();
        ShowRing(after);
        ShowOwners(await OwnersAsync(cluster, survivors[0], stop), ownersBefore);
        await ShowAsync(kubectl, stop, "get", "dc", "-n", Namespace);

        async Task<(AgentRing Ring, double Seconds)> RingWithoutVictimAsync()
        {
            var ring = await WaitForRingAsync(cluster, survivors, r => r.Epoch > before.Epoch, stop);
            return (ring, clock.Elapsed.TotalSeconds);
        }
    }

    /// <summary>Waits until every agent of <paramref name="members"/> serves the same ring of exactly them; returns it.</summary>
    private async Task<AgentRing> WaitForRingAsync(Cluster cluster, IReadOnlyCollection<string> members, Func<AgentRing, bool>? also, CancellationToken stop)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            if (await RingAgreement.CheckAsync(cluster.Node, _agents, Namespace, members, also, stop) is { } rings)
            {
                return rings.Values.First();
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new DemoException($"The agents of {string.Join(", ", members)} did not agree on a ring within {Patience.TotalSeconds:0} s. Agent logs are in {cluster.Node.RunDirectory}.");
            }

            // Fine enough to time a failover to a tenth of a second.
            await Task.Delay(TimeSpan.FromMilliseconds(100), stop);
        }
    }

    private async Task<IReadOnlyList<AgentOwners>> OwnersAsync(Cluster cluster, string member, CancellationToken stop)
    {
        var address = cluster.Node.Process(Namespace, member)?.Address ?? throw new DemoException($"The local node runs no pod {member}.");
        var owners = new List<AgentOwners>();
        foreach (var key in Keys)
        {
            owners.Add(await _agents.OwnersAsync(address, key, stop) ?? throw new DemoException($"Agent {member} did not answer GET /v1/owners/{key}."));
        }

        return owners;
    }

    private void ShowRing(AgentRing ring)
    {
        _output.Line(string.Create(CultureInfo.InvariantCulture,
            $"epoch {ring.Epoch} (membership epoch {ring.MembershipEpoch}), {ring.Partitions} partitions x {ring.ReplicationFactor} replicas, cluster leader {ring.Leader}"));
        _output.Table(
            ["MEMBER", "ZONE", "ADDRESS", "STATE", "REPLICAS", "LEADS"],
            ring.Members.Select(m => (IReadOnlyList<string>)
            [
                m.Id,
                m.Zone,
                m.Address ?? "-",
                m.State,
                m.Replicas.ToString(CultureInfo.InvariantCulture),
                m.Leads.ToString(CultureInfo.InvariantCulture),
            ]));
        _output.Line();
    }

    /// <summary>The owners of <see cref="Keys"/>; with <paramref name="before"/>, marks what changed.</summary>
    private void ShowOwners(IReadOnlyList<AgentOwners> owners, IReadOnlyList<AgentOwners>? before)
    {
        _output.Line(before is null ? "Owners of a few keys:" : "Owners of the same keys now (* = changed):");
        _output.Table(
            ["KEY", "PARTITION", "LEADER", "REPLICAS"],
            owners.Select((o, i) =>
            {
                var previous = before?[i];
                var leaderChanged = previous is not null && previous.Leader?.Id != o.Leader?.Id;
                var replicasChanged = previous is not null && !previous.Replicas.Select(r => r.Id).SequenceEqual(o.Replicas.Select(r => r.Id));
                return (IReadOnlyList<string>)
                [
                    o.Key,
                    o.Partition.ToString(CultureInfo.InvariantCulture),
                    (o.Leader?.Id ?? "(none)") + (leaderChanged ? $" * (was {previous!.Leader?.Id})" : ""),
                    string.Join(", ", o.Replicas.Select(r => r.Id)) + (replicasChanged ? " *" : ""),
                ];
            }));
        _output.Flush();
    }
}
