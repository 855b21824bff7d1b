using System.Globalization;
using System.Text;
using DataCluster.Client;
using DataCluster.Contracts;
using DataCluster.LocalCluster;
using Microsoft.Extensions.DependencyInjection;

namespace DataCluster.Demo;

/// <summary>Writing events for one key, and reading them back in order after a failover.</summary>
internal sealed partial class Demo
{
    private readonly AgentEventsClient _events = new();

    /// <summary>The client library's clients, one per member the demo writes through.</summary>
    private readonly Dictionary<string, DataClusterClient> _clients = new(StringComparer.Ordinal);

    private readonly List<ServiceProvider> _clientServices = [];

    /// <summary>
    /// The key whose partition leader the demo kills: one not led by the cluster leader (the
    /// leader agent's own failover is in the end-to-end tests), and preferably one whose leader's
    /// zone has another member, so the survivors still span both zones.
    /// </summary>
    private static AgentOwners PickKey(IReadOnlyList<AgentOwners> owners, AgentRing ring)
    {
        var zoneOf = ring.Members.ToDictionary(m => m.Id, m => m.Zone, StringComparer.Ordinal);
        bool ZoneShared(string id) => ring.Members.Count(m => m.Zone == zoneOf.GetValueOrDefault(id)) > 1;
        return owners
            .Where(o => o.Leader is { } l && l.Id != ring.Leader)
            .OrderByDescending(o => ZoneShared(o.Leader!.Id))
            .FirstOrDefault() ?? owners[0];
    }

    /// <summary>Writes three events of <paramref name="key"/> through a member that does not lead its partition (the agent forwards them).</summary>
    private async Task<List<string>> WriteEventsAsync(Cluster cluster, IReadOnlyList<string> members, AgentOwners key, CancellationToken stop)
    {
        var through = members.First(m => m != key.Leader?.Id);
        _output.Step($"Writing events for {key.Key} (POST /v1/keys/{key.Key}/events at QUORUM, sent to {through}, which forwards to the leader {key.Leader?.Id})");
        var written = new List<string>();
        var rows = new List<IReadOnlyList<string>>();
        for (var i = 1; i <= 3; i++)
        {
            var answer = await WriteUntilAcknowledgedAsync(cluster, through, key.Key, written, stop);
            rows.Add([written[^1], answer.Partition.ToString(CultureInfo.InvariantCulture), answer.Epoch.ToString(CultureInfo.InvariantCulture), answer.Offset.ToString(CultureInfo.InvariantCulture), answer.CommitLevel]);
        }

        _output.Table(["BODY", "PARTITION", "EPOCH", "OFFSET", "COMMIT LEVEL"], rows);
        _output.Line($"  curl -X POST --data 'hello' http://{AddressOf(cluster, through)}:{AgentPorts.Client}/v1/keys/{key.Key}/events");
        _output.Flush();
        return written;
    }

    /// <summary>Writes two more events after the failover, then reads every event of the key back and checks their order.</summary>
    private async Task ReadBackAsync(Cluster cluster, IReadOnlyList<string> survivors, AgentOwners key, List<string> written, CancellationToken stop)
    {
        _output.Step($"Reading {key.Key}'s events back in order (GET /v1/keys/{key.Key}/events)");
        for (var i = 0; i < 2; i++)
        {
            await WriteUntilAcknowledgedAsync(cluster, survivors[0], key.Key, written, stop);
        }

        // From the partition's leader: a follower's copy is committed up to what the leader last
        // told it, one heartbeat (100 ms) behind the newest acknowledgement.
        var owners = await _agents.OwnersAsync(AddressOf(cluster, survivors[0]), key.Key, stop);
        var reader = owners?.Leader?.Id ?? survivors[0];
        var page = await _events.ReadKeyAsync(AddressOf(cluster, reader), key.Key, stop)
            ?? throw new DemoException($"{reader} did not answer GET /v1/keys/{key.Key}/events.");
        _output.Table(
            ["OFFSET", "EPOCH", "BODY"],
            page.Events.Select(e => (IReadOnlyList<string>)[e.Offset.ToString(CultureInfo.InvariantCulture), e.Epoch.ToString(CultureInfo.InvariantCulture), Encoding.UTF8.GetString(e.Body)]));
        var read = page.Events.Select(e => Encoding.UTF8.GetString(e.Body)).ToList();
        if (!read.SequenceEqual(written, StringComparer.Ordinal))
        {
            throw new DemoException($"Read back [{string.Join(", ", read)}], but wrote [{string.Join(", ", written)}] in that order.");
        }

        _output.Line($"All {written.Count} events acknowledged before and after the failover, in the order they were written.");
        _output.Flush();
    }

    /// <summary>
    /// Writes the next event of <paramref name="key"/> through <paramref name="through"/> with the
    /// client library, which retries a refusal during the failover with the same producer id and
    /// sequence (a first attempt that was stored after all is not stored twice), and records its body.
    /// </summary>
    private async Task<AgentWriteAnswer> WriteUntilAcknowledgedAsync(Cluster cluster, string through, string key, List<string> written, CancellationToken stop)
    {
        var body = $"{key} event {written.Count + 1}";
        try
        {
            var result = await ClientThrough(cluster, through).WriteAsync(key, body, cancellationToken: stop);
            written.Add(body);
            return new AgentWriteAnswer(result.Partition, result.Epoch, result.Offset, result.CommitLevel.ToString(), result.Duplicate);
        }
        catch (DataClusterException e)
        {
            throw new DemoException($"No write of {key} was acknowledged within {Patience.TotalSeconds:0} s: {e.Message}");
        }
    }

    /// <summary>
    /// A client that sends every write to <paramref name="member"/>, which forwards it to the
    /// partition's leader (the demo shows forwarding; apps let the client route to the leader).
    /// </summary>
    private DataClusterClient ClientThrough(Cluster cluster, string member)
    {
        if (!_clients.TryGetValue(member, out var client))
        {
            var services = new ServiceCollection().AddDataClusterClient(o =>
            {
                o.BaseAddress = new Uri($"http://{AddressOf(cluster, member)}:{AgentPorts.Client}");
                o.RouteToLeader = false;
                o.WriteTimeout = Patience;
                // Retried every 100 ms, so the failover time the demo prints is the cluster's, not a backoff's.
                o.MinRetryDelay = TimeSpan.FromMilliseconds(100);
                o.MaxRetryDelay = TimeSpan.FromMilliseconds(100);
            }).BuildServiceProvider();
            _clientServices.Add(services);
            _clients[member] = client = services.GetRequiredService<DataClusterClient>();
        }

        return client;
    }

    private static string AddressOf(Cluster cluster, string member) =>
        cluster.Node.Process(Namespace, member)?.Address ?? throw new DemoException($"The local node runs no pod {member}.");
}
