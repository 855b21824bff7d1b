using DataCluster.Replication;
using DataCluster.Ring;

namespace DataCluster.Agent.DataPlane;

/// <summary>
/// What stand-ins for down replicas (hinted handoff) are chosen from: the cluster's placement
/// settings and the ring's members. See <see cref="SubstitutePlacement"/> for the ranking.
/// </summary>
/// <param name="Placement">Factor, otherZoneReplicas and otherRegionReplicas, as the assignment uses them.</param>
/// <param name="Members">The ring's members with their zones and regions, as this agent last read
/// them. Called on the data plane's loop when a stand-in is needed: must be quick, must not block
/// and must be safe to call from any thread.</param>
public sealed record SubstituteOptions(AssignmentSettings Placement, Func<IReadOnlyList<Member>> Members);

/// <summary>Stand-in copies at one moment, for metrics and the API.</summary>
/// <param name="PartitionsHeld">Partitions this member holds as a stand-in for a down replica.</param>
/// <param name="RecordsHeld">Records in those copies (the hints held).</param>
/// <param name="OldestHeldSinceMs">When (on the data plane's clock, ms) the longest-held of those copies became one; null when none is held.</param>
/// <param name="Started">Stand-ins this member, as a partition leader, put in place since it started.</param>
/// <param name="Released">Stand-in copies this member dropped after a leader released them (handed over) since it started.</param>
public sealed record SubstituteSummary(int PartitionsHeld, long RecordsHeld, long? OldestHeldSinceMs, long Started, long Released)
{
    /// <summary>Nothing held, nothing counted.</summary>
    public static SubstituteSummary None { get; } = new(0, 0, null, 0, 0);
}

/// <summary>
/// Stand-ins: the chooser the replication state machine asks when a follower is down (set when
/// <see cref="DataPlaneOptions.Substitutes"/> is given) and what this member holds as one.
/// </summary>
/// <remarks>
/// A stand-in's load is the replicas it holds in the current assignment plus the stand-in copies
/// this leader already placed on it, so the stand-ins for many partitions of one down member spread
/// over the candidates instead of all landing on the lowest id. Everything here runs on the loop.
/// </remarks>
public sealed partial class DataPlane
{
    // Replicas held per member in the assignment _loadsOf names; rebuilt when the assignment changes.
    private readonly Dictionary<string, int> _assignedLoad = new(StringComparer.Ordinal);
    private Assignment? _loadsOf;

    // Stand-in copies this leader has in place per member, as of the last status refresh, and the
    // ones chosen since (the statuses show them only from the next refresh).
    private readonly Dictionary<string, int> _standInsPlaced = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _standInsChosen = new(StringComparer.Ordinal);

    // Partitions held as a stand-in, and since when (loop clock, ms).
    private readonly Dictionary<int, long> _heldSinceMs = [];
    private volatile SubstituteSummary _substitutes = SubstituteSummary.None;

    /// <summary>Stand-in copies held and stand-ins counted, as of the last loop iteration (at most 100 ms old).</summary>
    public SubstituteSummary Substitutes => _substitutes;

    /// <summary>How long the longest-held stand-in copy on this member has been held; zero when none is.</summary>
    public TimeSpan OldestSubstituteCopyAge => _substitutes.OldestHeldSinceMs is { } since
        ? TimeSpan.FromMilliseconds(Math.Max(0, NowMs() - since))
        : TimeSpan.Zero;

    /// <summary>The chooser to give the state machine: null when stand-ins are off.</summary>
    private SubstituteChooser? SubstituteChooserOf() => _options.Substitutes is null ? null : ChooseSubstitute;

    private string? ChooseSubstitute(int partition, IReadOnlyList<string> replicas, string replaced, Func<string, bool> usable)
    {
        var options = _options.Substitutes!;
        string? chosen;
        try
        {
            chosen = SubstitutePlacement.Choose(options.Members(), options.Placement, replicas, replaced, usable, LoadOf);
        }
        catch (ArgumentException e)
        {
            // A replica set or ring reading the placement cannot use; without a stand-in the
            // partition behaves as with substitutes off, which is safe.
            DataPlaneLog.SubstituteNotChosen(_logger, partition, replaced, e.Message);
            return null;
        }

        if (chosen is null)
        {
            DataPlaneLog.NoSubstitute(_logger, partition, replaced);
            return null;
        }

        _standInsChosen[chosen] = _standInsChosen.GetValueOrDefault(chosen) + 1;
        DataPlaneLog.SubstituteChosen(_logger, partition, chosen, replaced);
        return chosen;
    }

    private int LoadOf(string member)
    {
        var assignment = _node?.Assignment;
        if (!ReferenceEquals(assignment, _loadsOf))
        {
            _assignedLoad.Clear();
            _loadsOf = assignment;
            if (assignment is not null)
            {
                for (var p = 0; p < assignment.Partitions; p++)
                {
                    foreach (var id in assignment.ReplicasOf(p))
                    {
                        _assignedLoad[id] = _assignedLoad.GetValueOrDefault(id) + 1;
                    }
                }
            }
        }

        return _assignedLoad.GetValueOrDefault(member) + _standInsPlaced.GetValueOrDefault(member) + _standInsChosen.GetValueOrDefault(member);
    }

    /// <summary>Refreshes the stand-in picture from freshly taken statuses.</summary>
    private void RefreshSubstitutes(ReplicaNode node, IReadOnlyList<PartitionStatus> statuses, long now)
    {
        _standInsPlaced.Clear();
        _standInsChosen.Clear();
        var held = new HashSet<int>();
        var records = 0L;
        long? oldest = null;
        foreach (var status in statuses)
        {
            foreach (var follower in status.Followers)
            {
                if (follower.StandsInFor is not null)
                {
                    _standInsPlaced[follower.Member] = _standInsPlaced.GetValueOrDefault(follower.Member) + 1;
                }
            }

            if (status.Role == ReplicaRole.Substitute)
            {
                if (!_heldSinceMs.TryGetValue(status.Partition, out var since))
                {
                    since = now;
                    _heldSinceMs[status.Partition] = since;
                }

                held.Add(status.Partition);
                records += Math.Max(0, status.LogEnd - status.LogStart);
                oldest = oldest is { } o ? Math.Min(o, since) : since;
            }
        }

        if (_heldSinceMs.Count > held.Count)
        {
            foreach (var partition in _heldSinceMs.Keys.Where(p => !held.Contains(p)).ToList())
            {
                _heldSinceMs.Remove(partition);
            }
        }

        _substitutes = new SubstituteSummary(held.Count, records, oldest, node.SubstitutionsStarted, node.SubstituteCopiesReleased);
    }
}
