using DataCluster.E2E.Tests.Support;
using DataCluster.Ring;
using DataCluster.Testing.LocalCluster;
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

        var rings = await dc.AgreedRingAsync(members);
        var ring = rings.Values.First();
        var published = await dc.AssignmentAsync();
        var keys = Enumerable.Range(0, Keys).Select(i => $"server-{i}").ToArray();
        var answers = await Task.WhenAll(members.Select(async m =>
        {
            var address = dc.AddressOf(m);
            var owners = new AgentOwners[keys.Length];
            for (var i = 0; i < keys.Length; i++)
            {
                owners[i] = await fixture.Agents.OwnersAsync(address, keys[i], Ct) ?? throw new InvalidOperationException($"{m} did not answer for {keys[i]}.\n{dc.Diagnostics()}");
            }

            return (Member: m, Owners: owners);
        }));

        Assert.NotNull(published);
        Assert.Equal(ring.Epoch, published.Epoch);
        Assert.Equal(["zone-a", "zone-b"], ring.Members.Select(m => m.Zone).Distinct().Order());
        Assert.All(ring.Members, m => Assert.True(m.Replicas > 0 && m.Leads > 0, $"{m.Id} holds {m.Replicas} replicas and leads {m.Leads}"));
        foreach (var (member, owners) in answers)
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
}
