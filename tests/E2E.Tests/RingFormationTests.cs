using DataCluster.E2E.Tests.Support;
using DataCluster.Ring;
using DataCluster.LocalCluster;
using Xunit;

namespace DataCluster.E2E.Tests;

public sealed class RingFormationTests(E2EFixture fixture)
{
    private const int Keys = 1000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Three_members_form_one_ring_and_every_agent_names_the_same_owners_for_1000_keys()
    {
        await using var dc = await TestCluster.CreateAsync(fixture, "ring", 3);
        var members = dc.Members(3);
        var keys = Enumerable.Range(0, Keys).Select(i => $"server-{i}").ToArray();

        await dc.ReadyAsync(3);
        AgentRing ring;
        Assignment? published;
        (string Member, AgentOwners[] Owners)[] answers;
        var attempts = 0;
        do
        {
            // One sample is 3,000 requests; if the ring changed while it was taken (a late
            // membership event), it is not a picture of one moment: take it again.
            ring = (await dc.AgreedRingAsync(members)).Values.First();
            published = await dc.AssignmentAsync();
            answers = await Task.WhenAll(members.Select(m => OwnersAsync(dc, m, keys)));
        }
        while (++attempts < 3 && answers.Any(a => a.Owners.Any(o => o.Epoch != ring.Epoch)));

        Assert.NotNull(published);
        Assert.Equal(ring.Epoch, published.Epoch);
        Assert.Equal(["zone-a", "zone-b"], ring.Members.Select(m => m.Zone).Distinct().Order());
        Assert.All(ring.Members, m => Assert.True(m.Replicas > 0 && m.Leads > 0, $"{m.Id} holds {m.Replicas} replicas and leads {m.Leads}"));
        foreach (var (_, owners) in answers)
        {
            Assert.All(owners, o => Assert.Equal(ring.Epoch, o.Epoch));
        }

        for (var i = 0; i < keys.Length; i++)
        {
            var expected = answers[0].Owners[i];
            var partition = KeyHash.PartitionOf(keys[i], ring.Partitions);
            Assert.Equal(partition, expected.Partition);
            Assert.Equal(published.ReplicasOf(partition).ToArray(), expected.Replicas.Select(r => r.Id));
            Assert.Equal(published.LeaderOf(partition), expected.Leader?.Id);
            Assert.Equal(3, expected.Replicas.Select(r => r.Id).Distinct().Count());
            foreach (var (_, owners) in answers.Skip(1))
            {
                Assert.Equal(expected.Leader?.Id, owners[i].Leader?.Id);
                Assert.Equal(expected.Replicas.Select(r => r.Id), owners[i].Replicas.Select(r => r.Id));
            }
        }

        Report.Line($"ring formed: {members.Count} members, epoch {ring.Epoch}, leader {ring.Leader}, {Keys} keys with identical owners on every agent; replicas per member {string.Join(", ", ring.Members.Select(m => $"{m.Id}={m.Replicas}/{m.Leads} leads"))}");
    }

    private async Task<(string Member, AgentOwners[] Owners)> OwnersAsync(TestCluster dc, string member, string[] keys)
    {
        var address = dc.AddressOf(member);
        var owners = new AgentOwners[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            owners[i] = await fixture.Agents.OwnersAsync(address, keys[i], Ct) ?? throw new InvalidOperationException($"{member} did not answer for {keys[i]}.\n{dc.Diagnostics()}");
        }

        return (member, owners);
    }
}
