using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using DataCluster.Agent.DataPlane;
using DataCluster.Agent.Peers;
using DataCluster.Replication;
using DataCluster.Ring;
using DataCluster.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataCluster.Agent.Tests.DataPlane;

/// <summary>
/// Data planes of several members in one process, on real partition logs in temporary
/// directories, joined by the in-memory peer network (each sender's messages arrive in order).
/// A member can be stopped (its loop cancelled, as a killed process) and started again on the
/// same directory.
/// </summary>
internal sealed class InProcessCluster : IAsyncDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "dc-dataplane-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly ConcurrentDictionary<string, Node> _members = new(StringComparer.Ordinal);
    private readonly InMemoryPeerNetwork _network = new();
    private readonly Meter _meter = new("DataCluster.Agent.Tests." + Guid.NewGuid().ToString("N"));
    private readonly bool _substitutes;
    private Assignment? _assignment;

    /// <param name="members">Members dc-0 .. dc-(members-1), all in one zone.</param>
    /// <param name="partitions">Partition count.</param>
    /// <param name="factor">Replication factor.</param>
    /// <param name="substitutes">Whether leaders put stand-ins in place of down followers, chosen from every member.</param>
    public InProcessCluster(int members, int partitions = 8, int factor = 3, bool substitutes = false)
    {
        _substitutes = substitutes;
        Ids = [.. Enumerable.Range(0, members).Select(i => $"dc-{i}")];
        Settings = new AssignmentSettings(partitions, factor);
        foreach (var id in Ids)
        {
            Start(id);
        }
    }

    public IReadOnlyList<string> Ids { get; }

    public AssignmentSettings Settings { get; }

    public Assignment Assignment => _assignment!;

    public DataCluster.Agent.DataPlane.DataPlane this[string id] => _members[id].Plane;

    /// <summary>How a member's data plane loop ended, or null while it runs.</summary>
    public string? Ended(string id) => _members[id].Running is { IsCompleted: true } run ? run.Exception?.GetBaseException().ToString() ?? "stopped" : null;

    /// <summary>Publishes an assignment over the given members (default: all) with the next epoch; <paramref name="draining"/> lead nothing.</summary>
    public Assignment Assign(IReadOnlyList<string>? over = null, IReadOnlyCollection<string>? draining = null)
    {
        var members = (over ?? Ids).Select(id => MemberOf(id, draining?.Contains(id) == true ? MemberState.Draining : MemberState.Active)).ToList();
        var next = Assigner.Assign(_assignment, members, Settings);
        _assignment = next;
        foreach (var member in _members.Values)
        {
            member.Plane.OnAssignment(next);
        }

        return next;
    }

    /// <summary>Stops a member as a kill would: its loop ends, messages to it are lost.</summary>
    public async Task StopAsync(string id)
    {
        if (_members.TryRemove(id, out var member))
        {
            _network.Leave(id);
            await member.Stop.CancelAsync();
            await member.Running;
            member.Stop.Dispose();
        }
    }

    /// <summary>Disposes a member's data plane without cancelling its loop; returns the loop's task.</summary>
    public async Task<Task> DisposePlaneAsync(string id)
    {
        var member = _members[id];
        await member.Plane.DisposeAsync();
        return member.Running;
    }

    /// <summary>Starts a member on its directory (again, after <see cref="StopAsync"/>) and gives it the current assignment.</summary>
    public void Start(string id)
    {
        var options = new DataPlaneOptions
        {
            Self = id,
            Store = new LogStoreOptions { DataDirectory = Path.Combine(_root, id), SegmentBytes = 1 << 20 },
            Replication = new ReplicationOptions { ProposalTimeoutMs = 5000 },
            Substitutes = _substitutes ? new SubstituteOptions(Settings, () => [.. Ids.Select(i => MemberOf(i))]) : null,
        };
        var plane = new DataCluster.Agent.DataPlane.DataPlane(options, _network.Join(id), new DataPlaneMetrics(_meter), NullLogger.Instance);
        var stop = new CancellationTokenSource();
        var member = new Node(plane, stop, Task.Run(() => plane.RunAsync(stop.Token)));
        _members[id] = member;
        if (_assignment is { } current)
        {
            plane.OnAssignment(current);
        }
    }

    private static Member MemberOf(string id, MemberState state = MemberState.Active) =>
        new(id, int.Parse(id[3..], System.Globalization.CultureInfo.InvariantCulture), "zone-a", "region-a", state);

    /// <summary>The member that leads <paramref name="partition"/> in the current assignment.</summary>
    public string LeaderOf(int partition) => Assignment.LeaderOf(partition)!;

    public async ValueTask DisposeAsync()
    {
        foreach (var id in _members.Keys.ToList())
        {
            await StopAsync(id);
        }

        _meter.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private sealed record Node(DataCluster.Agent.DataPlane.DataPlane Plane, CancellationTokenSource Stop, Task Running);
}
